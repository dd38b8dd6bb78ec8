/**
 * What a PostgreSQL statement reaches outside its own database. A PostgreSQL session sees one
 * database: schema-qualified names (`audit.users`, `${SCHEMA}.t`) resolve inside it, and a
 * name with a database part (`otherdb.public.t`) is refused by the server. So the shadow
 * database is apart from the real one by construction; what can still leave it is a connection
 * the statement opens itself (`dblink`, `postgres_fdw` and foreign servers, subscriptions), or a
 * statement about another database or the server's configuration (`ALTER DATABASE other …`,
 * `ALTER SYSTEM`). The shadow check (drift/shadow-bounds.ts) runs none of a folder's statements
 * when one of them does. Function bodies and strings are read too: `dblink` called inside a
 * `$$ … $$` body connects all the same. Pure.
 */
import type { Reach, ReachScope } from './clickhouse-reach.ts';
import { isName, isWord, POSTGRES_DIALECT, tokenize } from './sql-lexer.ts';

const CONNECTING = /\b(dblink\w*|postgres_fdw)\b/i;

/** Everything `sql` (one statement as goose sends it, after ENVSUB) reaches outside `scope.database`, in text order. */
export function postgresReach(sql: string, scope: ReachScope): Reach[] {
  const tokens = tokenize(sql, POSTGRES_DIALECT);
  const found: Reach[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    const connecting = token.kind === 'string' || token.kind === 'word' ? CONNECTING.exec(token.text) : null;
    if (connecting) {
      // Inside a function body, the call's own line, not the line where the body starts.
      const at = sql.toLowerCase().indexOf(connecting[1]!.toLowerCase(), token.offset);
      found.push({ offset: at === -1 ? token.offset : at, what: `another database through ${connecting[1]!.toLowerCase().startsWith('dblink') ? 'dblink' : 'postgres_fdw'}` });
      continue;
    }
    // goose sends a file's statements in one query text at times (simple protocol), so each
    // statement start is recognised anywhere, not only at the first token.
    if (isWord(token, 'CREATE', 'ALTER') && isWord(tokens[i + 1], 'SERVER', 'SUBSCRIPTION')) {
      found.push({ offset: token.offset, what: `another server (${token.text.toUpperCase()} ${tokens[i + 1]!.text.toUpperCase()})` });
    } else if (isWord(token, 'IMPORT') && isWord(tokens[i + 1], 'FOREIGN')) {
      found.push({ offset: token.offset, what: 'another server (IMPORT FOREIGN SCHEMA)' });
    } else if (isWord(token, 'CREATE') && isWord(tokens[i + 1], 'FOREIGN') && isWord(tokens[i + 2], 'TABLE')) {
      found.push({ offset: token.offset, what: 'another server (CREATE FOREIGN TABLE)' });
    } else if (isWord(token, 'ALTER') && isWord(tokens[i + 1], 'SYSTEM')) {
      found.push({ offset: token.offset, what: "the server's configuration (ALTER SYSTEM)" });
    } else if (isWord(token, 'DATABASE') && isWord(tokens[i - 1], 'CREATE', 'ALTER', 'DROP', 'ON')) {
      let name = i + 1;
      while (isWord(tokens[name], 'IF', 'EXISTS')) name += 1;
      const named = tokens[name];
      // An unquoted name folds to lower case, as the server folds it.
      const text = named?.kind === 'word' ? named.text.toLowerCase() : named?.text;
      if (isName(named) && text !== scope.database) found.push({ offset: named.offset, what: `database ${named.text}` });
    }
  }
  return found;
}
