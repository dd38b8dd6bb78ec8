/**
 * The ClickHouse target's SQL as pure functions: goose's version table (goose-spec §3), the
 * ledger, the lock table and shadow databases (cluster mode's variants are in cluster.ts). Values are inlined, not bound: ClickHouse 18.16 has no query parameters. Every value
 * passes through `sqlInteger` and every name through `sqlIdentifier`, so nothing unvalidated is
 * ever pasted into SQL.
 */

/** The table name as goose pastes it: verbatim, optionally `database.table`. */
export function sqlIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(name)) {
    throw new Error(`"${name}" is not a plain ClickHouse table name (letters, digits, _ and one optional dot).`);
  }
  return name;
}

/** A goose version (int64) as SQL text; refuses anything that is not a safe integer. */
export function sqlInteger(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`${value} is not a safe integer version.`);
  return String(value);
}

/** goose's DDL, byte for byte, so goose and schemasync share one table. */
export function createVersionTable(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${sqlIdentifier(table)} ( version_id Int64, is_applied UInt8, date Date default now(), tstamp DateTime default now() ) ENGINE = MergeTree() ORDER BY (date)`;
}

export function insertVersion(table: string, version: number): string {
  return `INSERT INTO ${sqlIdentifier(table)} (version_id, is_applied) VALUES (${sqlInteger(version)}, 1)`;
}

/** goose's synchronous delete; servers older than 19.x reject the SETTINGS clause (see target.ts). */
export function deleteVersionSync(table: string, version: number): string {
  return `${deleteVersionAsync(table, version)} SETTINGS mutations_sync = 2`;
}

/** The plain mutation: returns before the rows are gone, so the caller must wait for it. */
export function deleteVersionAsync(table: string, version: number): string {
  return `ALTER TABLE ${sqlIdentifier(table)} DELETE WHERE version_id = ${sqlInteger(version)}`;
}

/**
 * goose's list query, ordered by version (ClickHouse's table has no id), plus the timestamp as
 * Unix seconds so the caller gets an unambiguous instant whatever the server's time zone.
 */
export function listVersions(table: string): string {
  return `SELECT version_id, is_applied, toUnixTimestamp(tstamp) AS applied_at FROM ${sqlIdentifier(table)} ORDER BY version_id DESC`;
}

/** 1 when the table exists in the connection's database (or the named one), else 0. */
export function versionTableExists(table: string): string {
  return `EXISTS TABLE ${sqlIdentifier(table)}`;
}

/**
 * Mutations of `table` that have not finished. `database` is a literal string here (not an
 * identifier), so it is validated like one before quoting.
 */
export function pendingMutations(database: string, table: string): string {
  return `SELECT mutation_id, command FROM system.mutations WHERE database = '${sqlIdentifier(database)}' AND table = '${sqlIdentifier(table)}' AND is_done = 0`;
}

/** A ClickHouse string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A round trip that proves the server answers. */
export const PING = 'SELECT 1 AS ok';

/** Rows `{ name }`: databases whose name starts with `prefix`. */
export function listDatabasesStartingWith(prefix: string): string {
  return `SELECT name FROM system.databases WHERE startsWith(name, ${sqlString(prefix)})`;
}

export function createDatabase(name: string): string {
  return `CREATE DATABASE ${sqlIdentifier(name)}`;
}

export function dropDatabase(name: string): string {
  return `DROP DATABASE IF EXISTS ${sqlIdentifier(name)}`;
}

/** schemasync's lock table (lock.ts), beside goose's table. */
export const LOCK_TABLE = 'schemasync_lock';

export function createLockTable(table = LOCK_TABLE): string {
  return `CREATE TABLE IF NOT EXISTS ${sqlIdentifier(table)} ( owner String, revision UInt64, ticket UInt64, choosing UInt8, released UInt8, acquired_at DateTime, expires_at DateTime ) ENGINE = ReplacingMergeTree(revision) ORDER BY owner`;
}

interface ClaimRow {
  owner: string;
  revision: number;
  ticket: number;
  choosing: boolean;
  released: boolean;
  /** Unix seconds; null means "now" on the server. */
  acquiredAt: number | null;
  leaseSeconds: number;
}

export function insertClaim(table: string, row: ClaimRow): string {
  const acquired = row.acquiredAt === null ? 'now()' : `toDateTime(${Math.trunc(row.acquiredAt)})`;
  return `INSERT INTO ${sqlIdentifier(table)} (owner, revision, ticket, choosing, released, acquired_at, expires_at) SELECT ${sqlString(row.owner)}, ${Math.trunc(row.revision)}, ${Math.trunc(row.ticket)}, ${row.choosing ? 1 : 0}, ${row.released ? 1 : 0}, ${acquired}, now() + ${Math.trunc(row.leaseSeconds)}`;
}

/** Each owner's newest row, kept only when it is a live claim (not released, lease not past). */
export function selectLiveClaims(table: string): string {
  // Aliases differ from the column names: an alias equal to a column would shadow it inside the
  // other aggregates ("aggregate function found inside another aggregate function").
  return `SELECT owner, last_ticket AS ticket, last_choosing AS choosing, toUnixTimestamp(last_acquired_at) AS acquired_at, toUnixTimestamp(last_expires_at) AS expires_at FROM ( SELECT owner, argMax(ticket, revision) AS last_ticket, argMax(choosing, revision) AS last_choosing, argMax(released, revision) AS last_released, argMax(acquired_at, revision) AS last_acquired_at, argMax(expires_at, revision) AS last_expires_at FROM ${sqlIdentifier(table)} GROUP BY owner ) WHERE last_released = 0 AND last_expires_at > now() ORDER BY owner`;
}

/**
 * schemasync's ledger (ledger.ts) in `schemasync_migrations`, beside goose's table. Rows are only
 * ever inserted: a ReplacingMergeTree keyed by version, the newest `revision` wins, read with
 * argMax (no FINAL, no ALTER … DELETE mutation; works on 18.16), and a removal is a row with
 * `removed = 1`.
 */
export const LEDGER_TABLE = 'schemasync_migrations';

export function createLedger(): string {
  return `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} ( version Int64, file String, checksum String, applied_text String, applied_at DateTime DEFAULT now(), applied_by String, removed UInt8, revision UInt64 ) ENGINE = ReplacingMergeTree(revision) ORDER BY version`;
}

export function upsertLedgerEntry(
  file: { version: number; name: string; checksum: string; text: string },
  by: 'schemasync' | 'adopted',
  revision: number,
): string {
  const values = [sqlInteger(file.version), sqlString(file.name), sqlString(file.checksum), sqlString(file.text), sqlString(by), '0', sqlInteger(revision)];
  return `INSERT INTO ${LEDGER_TABLE} (version, file, checksum, applied_text, applied_by, removed, revision) VALUES (${values.join(', ')})`;
}

export function removeLedgerEntry(version: number, revision: number): string {
  return `INSERT INTO ${LEDGER_TABLE} (version, file, checksum, applied_text, applied_by, removed, revision) VALUES (${sqlInteger(version)}, '', '', '', '', 1, ${sqlInteger(revision)})`;
}

/** The newest row per version (removed ones included; the ledger leaves them out). */
export function listLedgerEntries(): string {
  const last = (column: string, alias = `last_${column}`) => `argMax(${column}, revision) AS ${alias}`;
  return `SELECT version, ${last('file')}, ${last('checksum')}, ${last('applied_text')}, toUnixTimestamp(argMax(applied_at, revision)) AS last_applied_at, ${last('applied_by')}, ${last('removed')}, max(revision) AS last_revision FROM ${LEDGER_TABLE} GROUP BY version ORDER BY version`;
}

/** Which columns this server's system.tables has (`as_select` is newer than 18.16). */
export const SYSTEM_TABLES_COLUMNS = "SELECT name FROM system.columns WHERE database = 'system' AND table = 'tables'";

/** The tables and views of `database` (catalog.ts maps the rows). */
export function catalogTables(database: string, hasAsSelect: boolean): string {
  return `SELECT name, engine, sorting_key, partition_key, primary_key, create_table_query${hasAsSelect ? ', as_select' : ''} FROM system.tables WHERE database = ${sqlString(database)} AND NOT is_temporary ORDER BY name`;
}

export function catalogColumns(database: string): string {
  return `SELECT table, name, type, default_kind, default_expression FROM system.columns WHERE database = ${sqlString(database)} ORDER BY table, name`;
}

/** Tables and views of `database` with their engines and CREATE text (columns.ts: row types). */
export function columnTables(database: string): string {
  return `SELECT name, engine, create_table_query FROM system.tables WHERE database = ${sqlString(database)} AND NOT is_temporary ORDER BY name`;
}

/** The columns of system.columns (`position` is missing before ClickHouse 19.x). */
export const SYSTEM_COLUMNS_COLUMNS = "SELECT name FROM system.columns WHERE database = 'system' AND table = 'columns'";

/**
 * Columns of `database` in their declared order (columns.ts: row types). Without `position`
 * (old servers) no ORDER BY: those list each table's columns in declared order, table by table.
 */
export function orderedColumns(database: string, hasPosition: boolean): string {
  return `SELECT table, name, type, default_kind FROM system.columns WHERE database = ${sqlString(database)}${hasPosition ? ' ORDER BY table, position' : ''}`;
}
