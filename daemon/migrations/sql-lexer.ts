/**
 * A small SQL lexer for the shadow check's scans (clickhouse-reach.ts, postgres-reach.ts): it
 * knows where identifiers, quoted names, strings and comments begin and end, so that a scan
 * reads `db.t` in code and never in a comment or a string by mistake. It is not a parser: the
 * scans look at token patterns. Pure.
 */

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'punct';

export interface Token {
  kind: TokenKind;
  /** A word as written; a quoted name or a string without its quotes and escapes; a punctuation character. */
  text: string;
  /** Offset of the token's first character in the scanned text. */
  offset: number;
}

export interface Dialect {
  /** Characters that quote a name (ClickHouse: backtick and double quote; PostgreSQL: double quote). */
  nameQuotes: string;
  /** A backslash escapes inside '…' (ClickHouse always; PostgreSQL only in E'…'). */
  backslashInStrings: boolean;
  /** `$tag$ … $tag$` strings (PostgreSQL). */
  dollarQuotes: boolean;
  /** `#` starts a line comment (ClickHouse). */
  hashComments: boolean;
}

export const CLICKHOUSE_DIALECT: Dialect = { nameQuotes: '`"', backslashInStrings: true, dollarQuotes: false, hashComments: true };
export const POSTGRES_DIALECT: Dialect = { nameQuotes: '"', backslashInStrings: false, dollarQuotes: true, hashComments: false };

const WORD_START = /[\p{L}_]/u;
const WORD_PART = /[\p{L}\p{N}_$]/u;

/** The tokens of `sql`; an unterminated string or comment runs to the end (the server reports it). */
export function tokenize(sql: string, dialect: Dialect): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i += 1;
    } else if ((c === '-' && next === '-') || (c === '#' && dialect.hashComments)) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '/' && next === '*') {
      i = skipBlockComment(sql, i);
    } else if (c === "'" || ((c === 'E' || c === 'e') && next === "'" && !dialect.backslashInStrings)) {
      const start = i;
      const escapes = dialect.backslashInStrings || c !== "'";
      const { text, end } = readQuoted(sql, c === "'" ? i : i + 1, "'", escapes);
      tokens.push({ kind: 'string', text, offset: start });
      i = end;
    } else if (dialect.nameQuotes.includes(c)) {
      const { text, end } = readQuoted(sql, i, c, dialect.backslashInStrings);
      tokens.push({ kind: 'quoted', text, offset: i });
      i = end;
    } else if (c === '$' && dialect.dollarQuotes && /^\$([\p{L}_][\p{L}\p{N}_]*)?\$/u.test(sql.slice(i, i + 64))) {
      const tag = /^\$([\p{L}_][\p{L}\p{N}_]*)?\$/u.exec(sql.slice(i, i + 64))![0];
      const close = sql.indexOf(tag, i + tag.length);
      const end = close === -1 ? sql.length : close + tag.length;
      tokens.push({ kind: 'string', text: sql.slice(i + tag.length, close === -1 ? sql.length : close), offset: i });
      i = end;
    } else if (WORD_START.test(c)) {
      let end = i + 1;
      while (end < sql.length && WORD_PART.test(sql[end]!)) end += 1;
      tokens.push({ kind: 'word', text: sql.slice(i, end), offset: i });
      i = end;
    } else if (/[0-9]/.test(c)) {
      let end = i + 1;
      while (end < sql.length && /[0-9a-zA-Z_.]/.test(sql[end]!)) end += 1;
      tokens.push({ kind: 'number', text: sql.slice(i, end), offset: i });
      i = end;
    } else {
      tokens.push({ kind: 'punct', text: c, offset: i });
      i += 1;
    }
  }
  return tokens;
}

/** Block comments nest in both dialects. Returns the offset after the comment. */
function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

/** A quoted run starting at `start` (the quote): doubled quotes and, with `escapes`, backslashes escape. */
function readQuoted(sql: string, start: number, quote: string, escapes: boolean): { text: string; end: number } {
  let text = '';
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (escapes && c === '\\' && i + 1 < sql.length) {
      text += sql[i + 1];
      i += 2;
    } else if (c === quote && sql[i + 1] === quote) {
      text += quote;
      i += 2;
    } else if (c === quote) {
      return { text, end: i + 1 };
    } else {
      text += c;
      i += 1;
    }
  }
  return { text, end: sql.length };
}

/** A word or a quoted name: what can name a database, a table or a column. */
export function isName(token: Token | undefined): token is Token {
  return token !== undefined && (token.kind === 'word' || token.kind === 'quoted');
}

/** A word, compared case-insensitively with `word` (keywords). */
export function isWord(token: Token | undefined, ...words: string[]): boolean {
  return token?.kind === 'word' && words.some((word) => word.toUpperCase() === token.text.toUpperCase());
}

export function isPunct(token: Token | undefined, text: string): boolean {
  return token?.kind === 'punct' && token.text === text;
}

/** Index of the `)` that closes the `(` at `open`, or the last index when it is not closed. */
export function closingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i += 1) {
    if (isPunct(tokens[i], '(')) depth += 1;
    else if (isPunct(tokens[i], ')')) {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return tokens.length - 1;
}

/** The top-level arguments of the call whose `(` is at `open`, each as its tokens. */
export function callArguments(tokens: Token[], open: number): Token[][] {
  const close = closingParen(tokens, open);
  const args: Token[][] = [[]];
  let depth = 0;
  for (let i = open + 1; i < close; i += 1) {
    const token = tokens[i]!;
    if (isPunct(token, '(') || isPunct(token, '[')) depth += 1;
    if (isPunct(token, ')') || isPunct(token, ']')) depth -= 1;
    if (depth === 0 && isPunct(token, ',')) args.push([]);
    else args[args.length - 1]!.push(token);
  }
  return args.filter((arg) => arg.length > 0);
}
