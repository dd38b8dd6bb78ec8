import type pg from 'pg';

import type { Logger } from '../../log/types.ts';
import type { VersionRow } from '../../migrations/types.ts';
import type { ApplyUnit } from '../target.ts';
import type { PostgresPool } from './pool.ts';
import * as sql from './queries.ts';
import { withTransaction } from './transaction.ts';

const SQLSTATE_UNDEFINED_TABLE = '42P01';

/** goose's version table on PostgreSQL: read, created on first use, written by each migration. */
export class VersionTable {
  readonly #pool: PostgresPool;
  readonly #logger: Logger;
  readonly name: string;

  constructor(pool: PostgresPool, name: string, logger: Logger) {
    this.#pool = pool;
    this.name = name;
    this.#logger = logger;
  }

  /** goose's rows, newest id first; creates the table with its version-0 row when it does not exist. */
  async list(): Promise<VersionRow[]> {
    const pool = await this.#pool.ready();
    try {
      return versionRows(await pool.query(sql.listVersions(this.name)));
    } catch (error) {
      if ((error as { code?: unknown }).code !== SQLSTATE_UNDEFINED_TABLE) throw this.#pool.queryError(error, "read goose's version table", this.name);
    }
    await this.#create();
    try {
      return versionRows(await pool.query(sql.listVersions(this.name)));
    } catch (error) {
      throw this.#pool.queryError(error, "read goose's version table", this.name);
    }
  }

  /**
   * goose's table + version-0 row in one transaction (goose-spec §3 "Creation"). Two runners
   * doing it at once serialize on an advisory transaction lock; the second finds the table and
   * does nothing.
   */
  async #create(): Promise<void> {
    const client = await this.#pool.checkout();
    await withTransaction(client, async () => {
      await client.query(sql.lockTableCreation());
      const exists = sql.versionTableExists(this.name);
      const { rows } = await client.query<{ exists: boolean }>(exists.text, exists.values);
      if (rows[0]?.exists) return;
      await client.query(sql.createVersionTable(this.name));
      await client.query(sql.insertVersion(this.name), [0, true]);
      this.#logger.debug({ table: this.name }, `created goose's version table ${this.name}`);
    }).catch((error: unknown) => {
      throw this.#pool.queryError(error, "create goose's version table", this.name);
    });
  }

  /** Inserts the version's row on up, deletes its rows on down, on the migration's own connection. */
  async record(client: pg.PoolClient, unit: ApplyUnit): Promise<void> {
    const up = unit.direction === 'up';
    const version = unit.file.version;
    await client.query(up ? sql.insertVersion(this.name) : sql.deleteVersion(this.name), up ? [version, true] : [version]).catch((error: unknown) => {
      throw this.#pool.queryError(error, `${up ? 'record' : 'remove'} version ${version} in goose's version table`, this.name);
    });
  }
}

function versionRows(result: pg.QueryResult): VersionRow[] {
  return result.rows.map((row: { version_id: string | number; is_applied: boolean; tstamp_ms: number | null }) => ({
    version: Number(row.version_id),
    isApplied: row.is_applied,
    appliedAt: row.tstamp_ms === null ? null : new Date(row.tstamp_ms),
  }));
}
