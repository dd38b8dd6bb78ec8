/**
 * What a ClickHouse statement reaches outside its own database. A ClickHouse database is a
 * namespace on a server: `INSERT INTO app.events` writes to `app` whatever database the session
 * uses, so the shadow check (drift/shadow-bounds.ts) reads every statement with this scan before
 * it runs in a shadow database, and runs none of them when one names anything else. Pure.
 *
 * Found: qualified names (`db.t`, `` `db`.`t` ``, `db.t.column`) anywhere in code, which covers
 * RENAME/EXCHANGE/ATTACH/MOVE targets, `MATERIALIZED VIEW … TO db.t`, `CREATE TABLE … AS db.t`,
 * and goose's version table named `db.table`; database statements (`CREATE`/`DROP`/`RENAME`
 * `DATABASE`, `USE`); server-wide objects (SQL functions, users, roles, quotas, profiles,
 * named collections, `GRANT`, `KILL`, `SYSTEM`); `ON CLUSTER`; table functions and table engines
 * that reach other servers, files or ZooKeeper paths (`remote`, `url`, `s3`, `mysql`, `Kafka`,
 * `Distributed`, `Replicated*` with an explicit path, …); database names passed as arguments
 * (`merge(db, …)`, `Buffer(db, …)`, `dictGet('db.dict', …)`); dictionaries' `SOURCE(…)`.
 *
 * A qualifier counts only when it is the name of a database on the server (`databases`): a
 * nested column `Events.Timestamp` or an alias `e.id` is not a database unless one is so named,
 * in which case the scan refuses (safe) rather than guesses. `system` is allowed (read-only
 * server state the migrations may select from).
 */
import { callArguments, CLICKHOUSE_DIALECT, closingParen, isName, isPunct, isWord, tokenize, type Token } from './sql-lexer.ts';

export interface ReachScope {
  /** The database the statements are meant to run in (the shadow database). */
  database: string;
  /** Every database on the server; the names that are not `database` (nor `system`) are out of bounds. */
  databases: readonly string[];
}

/** One thing a statement reaches outside `database`: where in the statement, and what, in words. */
export interface Reach {
  /** Offset in the statement text. */
  offset: number;
  /** `database other_db`, `the table function remote(…)`, … */
  what: string;
}

/** Reads the server's state only; a migration may select from it. */
const ALLOWED_DATABASES = new Set(['system', 'INFORMATION_SCHEMA', 'information_schema']);

/** Table functions (lower case) that read or write outside the server's databases. */
const EXTERNAL_FUNCTIONS = new Set(
  [
    'remote', 'remoteSecure', 'cluster', 'clusterAllReplicas', 'url', 'urlCluster', 's3', 's3Cluster', 'gcs', 'oss', 'cosn',
    'azureBlobStorage', 'azureBlobStorageCluster', 'file', 'fileCluster', 'hdfs', 'hdfsCluster', 'mysql', 'postgresql', 'mongodb',
    'redis', 'sqlite', 'jdbc', 'odbc', 'executable', 'deltaLake', 'deltaLakeCluster', 'hudi', 'hudiCluster', 'iceberg',
    'icebergS3', 'icebergAzure', 'icebergHDFS', 'icebergLocal', 'icebergCluster', 'icebergS3Cluster', 'hive', 'paimon', 'arrowFlight',
  ].map((name) => name.toLowerCase()),
);

/** Table engines (as written after ENGINE =) that reach other servers, files, queues or ZooKeeper. */
const EXTERNAL_ENGINES = new Set([
  'Kafka', 'RabbitMQ', 'NATS', 'MySQL', 'PostgreSQL', 'MaterializedPostgreSQL', 'MaterializedMySQL', 'MongoDB', 'Redis', 'SQLite',
  'JDBC', 'ODBC', 'HDFS', 'S3', 'S3Queue', 'AzureQueue', 'AzureBlobStorage', 'URL', 'Distributed', 'ExternalDistributed',
  'Executable', 'ExecutablePool', 'DeltaLake', 'Hudi', 'Iceberg', 'IcebergS3', 'IcebergAzure', 'IcebergHDFS', 'IcebergLocal',
  'Hive', 'COSN', 'OSS', 'GCS', 'KeeperMap', 'FileLog', 'Replicated',
]);

/** Functions (lower case) and engines whose arguments name a database or `db.object`. */
const DATABASE_ARGUMENT_CALLS = new Set(
  [
    'merge', 'Merge', 'Buffer', 'dictionary', 'Dictionary', 'loop', 'joinGet', 'joinGetOrNull', 'dictGet', 'dictGetOrDefault',
    'dictGetOrNull', 'dictHas', 'dictIsIn', 'dictGetHierarchy', 'dictGetChildren', 'dictGetDescendants', 'dictGetAll',
    'dictGetString', 'dictGetUInt64', 'dictGetInt64', 'dictGetFloat64', 'dictGetDate', 'dictGetDateTime', 'dictGetUUID',
    'hasColumnInTable',
  ].map((name) => name.toLowerCase()),
);

/** Objects that belong to the server, not to a database: creating or dropping one in a shadow changes the real one. */
const SERVER_OBJECTS = ['USER', 'ROLE', 'QUOTA', 'POLICY', 'PROFILE', 'FUNCTION', 'COLLECTION'];

/** Everything `sql` (one statement, after ENVSUB) reaches outside `scope.database`, in text order. */
export function clickhouseReach(sql: string, scope: ReachScope): Reach[] {
  const tokens = tokenize(sql, CLICKHOUSE_DIALECT);
  const outside = (name: string) => name !== scope.database && !ALLOWED_DATABASES.has(name) && scope.databases.includes(name);
  const found: Reach[] = [...statementReach(tokens, scope.database)];
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    if (isName(token) && isPunct(tokens[i + 1], '.') && isName(tokens[i + 2]) && !isPunct(tokens[i - 1], '.') && outside(token.text)) {
      found.push({ offset: token.offset, what: `database ${token.text}` });
    } else if (isWord(token, 'ENGINE')) {
      const name = isPunct(tokens[i + 1], '=') ? i + 2 : i + 1;
      const engine = tokens[name];
      if (engine?.kind === 'word' && engineReaches(engine.text, tokens, name + 1)) {
        found.push({ offset: engine.offset, what: `the ${engine.text} engine (it reaches beyond this database)` });
      }
      // The engine's own arguments (Buffer(db, …), Merge(db, …)) are read by the call rule below.
    } else if (token.kind === 'word' && isPunct(tokens[i + 1], '(')) {
      found.push(...callReach(tokens, i, scope, outside));
    }
  }
  return found.sort((a, b) => a.offset - b.offset);
}

/** A call `name(…)` at `i`: a table function, a database argument, a dictionary source. */
function callReach(tokens: Token[], i: number, scope: ReachScope, outside: (name: string) => boolean): Reach[] {
  const token = tokens[i]!;
  // SOURCE(MYSQL(…)): the SOURCE rule below already read it.
  if (isPunct(tokens[i - 1], '(') && isWord(tokens[i - 2], 'SOURCE')) return [];
  const lower = token.text.toLowerCase();
  const afterEngine = isWord(tokens[i - 1], 'ENGINE') || (isPunct(tokens[i - 1], '=') && isWord(tokens[i - 2], 'ENGINE'));
  if (EXTERNAL_FUNCTIONS.has(lower) && !afterEngine) return [{ offset: token.offset, what: `the table function ${token.text}(…)` }];
  if (DATABASE_ARGUMENT_CALLS.has(lower)) {
    return argumentDatabases(tokens, i + 1)
      .filter((name) => outside(name.text))
      .map((name) => ({ offset: name.offset, what: `database ${name.text} (in ${token.text}(…))` }));
  }
  const source = tokens[i + 2];
  if (!isWord(token, 'SOURCE') || source?.kind !== 'word') return [];
  if (!isWord(source, 'CLICKHOUSE')) return [{ offset: source.offset, what: `the dictionary source ${source.text}(…)` }];
  return isPunct(tokens[i + 3], '(') ? clickhouseSourceReach(tokens, i + 3, scope, outside) : [];
}

/** Database statements, server-wide objects, `ON CLUSTER`, `KILL`, `SYSTEM`, `GRANT`. */
function statementReach(tokens: Token[], database: string): Reach[] {
  const found: Reach[] = [];
  const first = tokens[0];
  if (isWord(first, 'USE') && isName(tokens[1]) && tokens[1].text !== database) found.push({ offset: first!.offset, what: `database ${tokens[1].text} (USE)` });
  if (isWord(first, 'KILL', 'GRANT', 'REVOKE', 'SYSTEM', 'BACKUP', 'RESTORE')) {
    found.push({ offset: first!.offset, what: `the server (${first!.text.toUpperCase()} acts beyond this database)` });
  }
  if (isWord(first, 'CREATE', 'ATTACH', 'DROP', 'DETACH', 'RENAME', 'ALTER', 'UNDROP')) {
    let i = 1;
    while (isWord(tokens[i], 'OR', 'REPLACE', 'TEMPORARY', 'ROW', 'SETTINGS', 'NAMED')) i += 1;
    if (isWord(tokens[i], 'DATABASE')) {
      let name = i + 1;
      while (isWord(tokens[name], 'IF', 'NOT', 'EXISTS')) name += 1;
      const named = tokens[name];
      if (isName(named) && named.text !== database) found.push({ offset: named.offset, what: `database ${named.text}` });
    } else if (isWord(tokens[i], ...SERVER_OBJECTS)) {
      found.push({ offset: tokens[i]!.offset, what: `the server (a ${tokens[i]!.text.toUpperCase()} belongs to the whole server, not to a database)` });
    }
  }
  for (let i = 0; i + 1 < tokens.length; i += 1) {
    if (isWord(tokens[i], 'ON') && isWord(tokens[i + 1], 'CLUSTER')) {
      found.push({ offset: tokens[i]!.offset, what: `cluster ${tokens[i + 2]?.text ?? ''} (ON CLUSTER runs on every node)`.replace('  ', ' ') });
    }
    if (isWord(tokens[i], 'FETCH') && isWord(tokens[i + 1], 'PARTITION', 'PART')) found.push({ offset: tokens[i]!.offset, what: 'another replica (FETCH PARTITION)' });
    if (isWord(tokens[i], 'INTO', 'FROM') && isWord(tokens[i + 1], 'OUTFILE', 'INFILE')) found.push({ offset: tokens[i]!.offset, what: `a file (${tokens[i + 1]!.text.toUpperCase()})` });
    if (isWord(first, 'ATTACH') && isWord(tokens[i], 'FROM') && tokens[i + 1]?.kind === 'string') found.push({ offset: tokens[i]!.offset, what: `a file (ATTACH … FROM '${tokens[i + 1]!.text}')` });
  }
  return found;
}

/** An engine reaches outside: the external ones, and `Replicated*MergeTree` with a ZooKeeper path shared by every database. */
function engineReaches(engine: string, tokens: Token[], open: number): boolean {
  if (EXTERNAL_ENGINES.has(engine)) return true;
  const args = isPunct(tokens[open], '(') ? callArguments(tokens, open) : [];
  // File(Format) keeps its data in the table's own folder; File(Format, 'path') reads the server's files.
  if (engine === 'File') return args.length > 1;
  if (/^Replicated\w*MergeTree$/.test(engine)) {
    const path = args[0];
    // Without a path the server's default (`/clickhouse/tables/{uuid}/{shard}`) is the table's own.
    return path !== undefined && !path.some((token) => token.kind === 'string' && /\{(database|uuid)\}/.test(token.text));
  }
  return false;
}

/** Names in a call's arguments that may be databases: bare names, `db.x` qualifiers, and strings `'db'` or `'db.x'`. */
function argumentDatabases(tokens: Token[], open: number): Token[] {
  const names: Token[] = [];
  for (const arg of callArguments(tokens, open)) {
    const head = arg[0]!;
    if (head.kind === 'string') names.push({ ...head, text: head.text.split('.')[0]! });
    else if (arg.length === 1 && isName(head)) names.push(head);
  }
  return names;
}

/** `SOURCE(CLICKHOUSE(HOST 'h' PORT 9000 DB 'd' TABLE 't' QUERY '…'))`: another host, another database, or a query reaching one. */
function clickhouseSourceReach(tokens: Token[], open: number, scope: ReachScope, outside: (name: string) => boolean): Reach[] {
  const found: Reach[] = [];
  const close = closingParen(tokens, open);
  for (let i = open + 1; i < close; i += 1) {
    const key = tokens[i]!;
    const value = tokens[i + 1];
    if (key.kind !== 'word' || value === undefined || value.kind === 'punct') continue;
    const upper = key.text.toUpperCase();
    if (upper === 'HOST' && !['localhost', '127.0.0.1', '::1'].includes(value.text)) {
      found.push({ offset: value.offset, what: `host ${value.text} (a dictionary source)` });
    } else if (upper === 'DB' && value.text !== scope.database) {
      found.push({ offset: value.offset, what: `database ${value.text} (a dictionary source)` });
    } else if (upper === 'TABLE' && outside(value.text.split('.')[0]!) && value.text.includes('.')) {
      found.push({ offset: value.offset, what: `database ${value.text.split('.')[0]!} (a dictionary source)` });
    } else if (upper === 'QUERY' && value.kind === 'string') {
      for (const reach of clickhouseReach(value.text, scope)) found.push({ offset: value.offset, what: `${reach.what} (in a dictionary source's QUERY)` });
    }
  }
  return found;
}
