import type pg from 'pg';

import { messageOf } from '../../errors.ts';
import type { Logger } from '../../log/types.ts';
import type { MigrationFile } from '../../migrations/types.ts';
import type { ApplyUnit, Ledger, LedgerAppliedBy, LedgerEntry } from '../target.ts';
import type { PostgresPool } from './pool.ts';
import * as sql from './queries.ts';
import { withTransaction } from './transaction.ts';

const SQLSTATE_INSUFFICIENT_PRIVILEGE = '42501';

/** schemasync's ledger on PostgreSQL (`schemasync.migrations`, see queries.ts): created once, written inside each migration's transaction. */
export class PostgresLedger implements Ledger {
  readonly #pool: PostgresPool;
  readonly #logger: Logger;
  /** Resolves to whether the ledger table exists and may be written (false: no privilege to create it). */
  #ready: Promise<boolean> | undefined;

  constructor(pool: PostgresPool, logger: Logger) {
    this.#pool = pool;
    this.#logger = logger;
  }

  /**
   * Creates the ledger once per target (serialized with other runners by the table-creation
   * advisory lock). A role that may not create a schema still migrates: the ledger is off and
   * the edited-migration check says so.
   */
  ensure(): Promise<boolean> {
    this.#ready ??= this.#create().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #create(): Promise<boolean> {
    const pool = await this.#pool.ready();
    const { rows } = await pool.query<{ exists: boolean }>(sql.ledgerExists()).catch((error: unknown) => {
      throw this.#pool.queryError(error, "look for schemasync's ledger", sql.LEDGER_TABLE);
    });
    if (rows[0]?.exists) return true;
    const client = await this.#pool.checkout();
    try {
      await withTransaction(client, async () => {
        await client.query(sql.lockTableCreation());
        for (const statement of sql.createLedger()) await client.query(statement);
      });
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code !== SQLSTATE_INSUFFICIENT_PRIVILEGE) {
        throw this.#pool.queryError(error, "create schemasync's ledger", sql.LEDGER_TABLE);
      }
      this.#logger.warn(
        { event: 'ledger:off', err: error },
        `cannot create schemasync's ledger ${sql.LEDGER_TABLE} on ${this.#pool.where} (${messageOf(error)}); migrations still apply, but edited migrations cannot be detected`,
      );
      return false;
    }
  }

  async list(): Promise<LedgerEntry[]> {
    const pool = await this.#pool.ready();
    try {
      const { rows } = await pool.query<{ exists: boolean }>(sql.ledgerExists());
      if (!rows[0]?.exists) return [];
      return (await pool.query<LedgerRow>(sql.listLedgerEntries())).rows.map(entryFromRow);
    } catch (error) {
      throw this.#pool.queryError(error, "read schemasync's ledger", sql.LEDGER_TABLE);
    }
  }

  async adopt(files: MigrationFile[]): Promise<void> {
    if (files.length === 0 || !(await this.ensure())) return;
    const client = await this.#pool.checkout();
    await withTransaction(client, async () => {
      for (const file of files) await client.query(sql.upsertLedgerEntry(), upsertValues(file, 'adopted'));
    }).catch((error: unknown) => {
      throw this.#pool.queryError(error, "record goose's versions in schemasync's ledger", sql.LEDGER_TABLE);
    });
  }

  /** An up replaces the version's entry, a down removes it; on the migration's connection, inside its transaction when it has one. */
  async record(client: pg.PoolClient, unit: ApplyUnit): Promise<void> {
    if (!(await this.ensure())) return;
    const up = unit.direction === 'up';
    const version = unit.file.version;
    await client
      .query(up ? sql.upsertLedgerEntry() : sql.deleteLedgerEntry(), up ? upsertValues(unit.file, 'schemasync') : [version])
      .catch((error: unknown) => {
        throw this.#pool.queryError(error, `${up ? 'record' : 'remove'} version ${version} in schemasync's ledger`, sql.LEDGER_TABLE);
      });
  }
}

interface LedgerRow {
  version: string | number;
  file: string;
  checksum: string;
  applied_text: string;
  applied_at_ms: number;
  applied_by: string;
}

function entryFromRow(row: LedgerRow): LedgerEntry {
  return {
    version: Number(row.version),
    file: row.file,
    checksum: row.checksum,
    text: row.applied_text,
    appliedAt: new Date(row.applied_at_ms),
    appliedBy: row.applied_by === 'adopted' ? 'adopted' : 'schemasync',
  };
}

/** The parameters of `upsertLedgerEntry` for a file. */
function upsertValues(file: { version: number; name: string; checksum: string; text: string }, by: LedgerAppliedBy): unknown[] {
  return [file.version, file.name, file.checksum, file.text, by];
}
