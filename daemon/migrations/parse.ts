/**
 * goose's SQL migration parser (internal/sqlparser/parser.go, v3.27.3), ported line for line so
 * that schemasync sends exactly the statements goose would (goose-spec §2), quirks included.
 * On top of goose it records where each statement sits in the file, for error positions.
 * Pure: the environment for ENVSUB is passed in.
 */
import { ParseError } from '../errors.ts';
import { codeFrame } from './frame.ts';
import { EnvsubError, expandEnv, type EnvLookup } from './envsub.ts';
import { goFields, goLeadingSpaceLength, goQuote, goTrimSpace } from './gostrings.ts';
import type { Direction, ParsedSection, Statement } from './types.ts';

/** goose's scanner buffer: a line of this many bytes or more fails with "token too long". */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

export interface ParseOptions {
  /** File path for error messages. */
  file: string;
  /** Variables for `-- +goose ENVSUB ON`; unset when absent. Defaults to an empty environment. */
  env?: EnvLookup;
}

// goose's parser states; the numbers appear in goose's messages ("state 1", "stateMachine=4").
const State = { Start: 0, Up: 1, BeginUp: 2, EndUp: 3, Down: 4, BeginDown: 5, EndDown: 6 } as const;
type State = (typeof State)[keyof typeof State];

type Annotation = 'Up' | 'Down' | 'StatementBegin' | 'StatementEnd' | 'NO TRANSACTION' | 'ENVSUB ON' | 'ENVSUB OFF';
const ANNOTATIONS: readonly Annotation[] = ['Up', 'Down', 'StatementBegin', 'StatementEnd', 'NO TRANSACTION', 'ENVSUB ON', 'ENVSUB OFF'];

/** A kept line of the statement being built: its text (after ENVSUB) and its 1-based file line. */
interface BufferedLine {
  text: string;
  line: number;
}

/**
 * Parses one direction of a goose SQL migration exactly as goose does: same statements, same
 * NO TRANSACTION flag, same errors (goose raises direction-independent errors, such as a bad
 * annotation or an ENVSUB failure anywhere in the file, for both directions, and an unfinished
 * statement only for the direction it sits in).
 *
 * Throws ParseError(file, line, reason): `reason` is goose's message without its trailing
 * "see https://…" link; `line` is the offending line, or for an unfinished statement the line it
 * started on, or for a missing StatementEnd the StatementBegin line.
 */
export function parseMigration(text: string, direction: Direction, options: ParseOptions): ParsedSection {
  const env = options.env ?? {};
  const fail = (line: number, reason: string): never => {
    const error = new ParseError(options.file, line, reason);
    // No frame around a line too long to scan: it would print megabytes.
    if (!reason.includes('token too long')) Object.defineProperty(error, 'codeFrame', { value: codeFrame(text, line), enumerable: false });
    throw error;
  };

  let state: State = State.Start;
  let noTransaction = false;
  let envsub = false;
  let buffer: BufferedLine[] = [];
  let blockStartLine = 0;
  const statements: Statement[] = [];

  const lines = splitLines(text);
  for (let index = 0; index < lines.length; index++) {
    let line = lines[index]!;
    const lineNumber = index + 1;
    // goose's scanner holds the line with its `\r` before ScanLines drops it: count it too.
    if (byteLengthAtLeast(line, MAX_LINE_BYTES - (crlf(text, lines, index) ? 1 : 0))) {
      fail(lineNumber, 'failed to scan migration: bufio.Scanner: token too long');
    }
    const trimmed = goTrimSpace(line);
    if (state === State.Start && trimmed === '') continue;

    // goose's annotation test: a `--` line that mentions `+goose` anywhere (case-sensitive).
    if (trimmed.startsWith('--') && line.includes('+goose')) {
      const annotation = extractAnnotation(line);
      if ('error' in annotation) fail(lineNumber, `failed to parse annotation line ${goQuote(line)}: ${annotation.error}`);
      switch ((annotation as { value: Annotation }).value) {
        case 'Up':
          if (state !== State.Start) fail(lineNumber, `duplicate '-- +goose Up' annotations; stateMachine=${state}`);
          state = State.Up;
          continue;
        case 'Down': {
          if (state === State.BeginUp) {
            // goose's words say nothing of the real fault: a StatementBegin left open. Point at it.
            fail(
              blockStartLine,
              `must start with '-- +goose Up' annotation, stateMachine=${state} (goose's words): the '-- +goose StatementBegin' at line ${blockStartLine} is never closed; add '-- +goose StatementEnd' after its statement, before '-- +goose Down' at line ${lineNumber}`,
            );
          }
          if (state !== State.Up && state !== State.EndUp) fail(lineNumber, `must start with '-- +goose Up' annotation, stateMachine=${state}`);
          const pending = pendingStatement(buffer);
          if (pending) fail(pending.line, missingSemicolon(state, direction, pending.sql));
          state = State.Down;
          continue;
        }
        case 'StatementBegin':
          if (state === State.Up || state === State.EndUp) state = State.BeginUp;
          else if (state === State.Down || state === State.EndDown) state = State.BeginDown;
          else fail(lineNumber, `'-- +goose StatementBegin' must be defined after '-- +goose Up' or '-- +goose Down' annotation, stateMachine=${state}`);
          blockStartLine = lineNumber;
          continue;
        case 'StatementEnd':
          if (state === State.BeginUp) state = State.EndUp;
          else if (state === State.BeginDown) state = State.EndDown;
          else fail(lineNumber, "'-- +goose StatementEnd' must be defined after '-- +goose StatementBegin'");
          // No `continue`, as in goose: the line goes on to store the block. When the block is
          // empty, the line is skipped as a comment instead and the state stays "end", so the
          // next SQL line is swallowed and an empty statement stored (vector 12).
          break;
        case 'NO TRANSACTION':
          noTransaction = true;
          continue;
        case 'ENVSUB ON':
          envsub = true;
          continue;
        case 'ENVSUB OFF':
          envsub = false;
          continue;
      }
    }

    // Leading blank and comment lines before a statement are dropped; once a statement has
    // started, every line is kept. A whitespace-only line is not "blank" here (vector 06).
    if (buffer.length === 0 && (trimmed.startsWith('--') || line === '')) continue;

    if (state !== State.EndUp && state !== State.EndDown) {
      if (envsub) {
        try {
          line = expandEnv(line, env);
        } catch (error) {
          if (!(error instanceof EnvsubError)) throw error;
          fail(lineNumber, `variable substitution failed: ${error.message}:\n${line}`);
        }
      }
      buffer.push({ text: line, line: lineNumber });
    }

    const inUp = state === State.Up || state === State.BeginUp || state === State.EndUp;
    const inDown = state === State.Down || state === State.BeginDown || state === State.EndDown;
    if (!inUp && !inDown) fail(lineNumber, `failed to parse migration: unexpected state ${state} on line ${goQuote(line)}`);
    if ((inUp && direction === 'down') || (inDown && direction === 'up')) {
      buffer = [];
      continue;
    }

    if ((state === State.Up || state === State.Down) && endsWithSemicolon(line)) {
      statements.push(toStatement(buffer, lineNumber));
      buffer = [];
    } else if (state === State.EndUp || state === State.EndDown) {
      statements.push(toStatement(buffer, lineNumber));
      buffer = [];
      state = state === State.EndUp ? State.Up : State.Down;
    }
  }

  if (state === State.Start) fail(1, "failed to parse migration: must start with '-- +goose Up' annotation");
  if (state === State.BeginUp || state === State.BeginDown) {
    fail(blockStartLine, "failed to parse migration: missing '-- +goose StatementEnd' annotation");
  }
  const pending = pendingStatement(buffer);
  if (pending) fail(pending.line, missingSemicolon(state, direction, pending.sql));

  return { statements, noTransaction };
}

/**
 * Maps PostgreSQL's error `position` (1-based, in characters of the statement text sent) back to
 * the file. Characters are code points, as PostgreSQL counts them; the first line is shifted by
 * the whitespace goose trimmed off the statement's start.
 */
export function positionInFile(statement: Statement, offset: number): { line: number; column: number } {
  let lineIndex = 0;
  let column = 0;
  let seen = 1;
  for (const char of statement.sql) {
    if (seen >= offset) break;
    if (char === '\n') {
      lineIndex++;
      column = 0;
    } else {
      column++;
    }
    seen++;
  }
  const lastIndex = Math.max(statement.lines.length - 1, 0);
  const safeIndex = Math.min(lineIndex, lastIndex);
  const line = statement.lines[safeIndex] ?? 1;
  if (safeIndex !== lineIndex) return { line, column: 1 };
  return { line, column: column + 1 + (lineIndex === 0 ? statement.column - 1 : 0) };
}

/** bufio.ScanLines: split on `\n`, drop one trailing `\r` per line, no empty line after a final `\n`. */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** Did line `index` end in `\r\n` in `text`? Only asked of lines near the limit, so the search is rare. */
function crlf(text: string, lines: string[], index: number): boolean {
  const line = lines[index]!;
  if (line.length * 3 < MAX_LINE_BYTES - 1) return false;
  let offset = 0;
  for (let i = 0; i < index; i++) offset = text.indexOf('\n', offset) + 1;
  return text.startsWith(`${line}\r`, offset);
}

function byteLengthAtLeast(line: string, limit: number): boolean {
  // A UTF-16 unit is at most 3 UTF-8 bytes: skip the exact count for ordinary lines.
  return line.length * 3 >= limit && Buffer.byteLength(line, 'utf8') >= limit;
}

/** goose's extractAnnotation, with its error wording. */
function extractAnnotation(line: string): { value: Annotation } | { error: string } {
  if (line.startsWith(' ') || line.startsWith('\t')) {
    return { error: `${goQuote(line)} contains leading whitespace: invalid annotation` };
  }
  let command = line.replaceAll('--', '').replace('+goose', '');
  if (command.includes('+goose')) {
    return { error: `${goQuote(command)} contains multiple '+goose' annotations: invalid annotation` };
  }
  command = goTrimSpace(command);
  if (command === '') return { error: 'empty annotation' };
  const value = ANNOTATIONS.find((annotation) => equalFold(annotation, command));
  return value ? { value } : { error: `${goQuote(command)} not supported: invalid annotation` };
}

/** Go's strings.EqualFold, close enough for the ASCII annotation names (`ſ` ~ `s`, `K` ~ `k`). */
function equalFold(a: string, b: string): boolean {
  const left = [...a];
  const right = [...b];
  return (
    left.length === right.length &&
    left.every((char, i) => {
      const other = right[i]!;
      return char.toLowerCase() === other.toLowerCase() || char.toUpperCase() === other.toUpperCase();
    })
  );
}

/**
 * goose's end-of-statement test: the last whitespace-separated word before the first word that
 * begins with `--` ends with `;`. Strings and block comments are not understood (goose-spec §2.4).
 */
function endsWithSemicolon(line: string): boolean {
  let previous = '';
  for (const word of goFields(line)) {
    if (word.startsWith('--')) break;
    previous = word;
  }
  return previous.endsWith(';');
}

function missingSemicolon(state: State, direction: Direction, sql: string): string {
  return `failed to parse migration: state ${state}, direction: ${direction}: unexpected unfinished SQL query: ${goQuote(sql)}: missing semicolon?`;
}

/** The statement still buffered, if it holds anything but whitespace. */
function pendingStatement(buffer: BufferedLine[]): { sql: string; line: number } | undefined {
  const statement = toStatement(buffer, 0);
  return statement.sql === '' ? undefined : { sql: statement.sql, line: statement.lines[0]! };
}

/**
 * Builds goose's statement (kept lines joined with `\n`, trimmed) and where it sits. A line may
 * hold `\n`s after ENVSUB; each part keeps its source line. `emptyLine` is used when nothing
 * is left after trimming (goose's empty-block statement).
 */
function toStatement(buffer: BufferedLine[], emptyLine: number): Statement {
  const parts = buffer.flatMap((entry) => entry.text.split('\n').map((text) => ({ text, line: entry.line })));
  const joined = parts.map((part) => `${part.text}\n`).join('');
  const sql = goTrimSpace(joined);
  if (sql === '') return { sql, lines: [emptyLine], column: 1 };

  let skip = goLeadingSpaceLength(joined);
  let first = 0;
  while (skip >= parts[first]!.text.length + 1) {
    skip -= parts[first]!.text.length + 1;
    first++;
  }
  const lineCount = sql.split('\n').length;
  return {
    sql,
    lines: parts.slice(first, first + lineCount).map((part) => part.line),
    column: [...parts[first]!.text.slice(0, skip)].length + 1,
  };
}
