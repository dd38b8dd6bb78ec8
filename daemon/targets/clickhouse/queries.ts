/**
 * goose's ClickHouse version-table SQL (goose-spec §3), as pure functions of the table name and
 * version. Values are inlined, not bound: ClickHouse 18.16 has no query parameters. Every value
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
