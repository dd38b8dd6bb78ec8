import { messageOf } from '../../errors.ts';
import type { Logger } from '../../log/types.ts';
import type { MigrationFile } from '../../migrations/types.ts';
import type { ApplyUnit, Ledger, LedgerEntry } from '../target.ts';
import type { ClusterSession } from './cluster-session.ts';
import { clusterCreate } from './cluster.ts';
import type { ClickHouseSession } from './connection.ts';
import * as sql from './queries.ts';
import { bookkeepingError } from './query-failure.ts';
import type { Revisions } from './revisions.ts';

/**
 * schemasync's ledger on ClickHouse (`schemasync_migrations`, see queries.ts); goose does not
 * know it and catalog introspection skips it. In cluster mode it is replicated and written with
 * quorum, like every bookkeeping table.
 */
export class ClickHouseLedger implements Ledger {
  #ready = false;

  constructor(
    /** The bookkeeping session: the cluster's quorum session in cluster mode, else the plain one. */
    private readonly books: ClickHouseSession,
    private readonly cluster: ClusterSession | undefined,
    private readonly database: string,
    private readonly revisions: Revisions,
    private readonly logger: Logger,
  ) {}

  async list(): Promise<LedgerEntry[]> {
    try {
      const [exists] = await this.books.rows<{ result: number }>(sql.versionTableExists(sql.LEDGER_TABLE));
      if (Number(exists?.result) !== 1) return [];
      const rows = await this.books.rows<LedgerRow>(sql.listLedgerEntries());
      // Keep later revisions above anything already written, whoever wrote it.
      for (const row of rows) this.revisions.observe(Number(row.last_revision));
      return entriesFromRows(rows);
    } catch (error) {
      throw bookkeepingError(error, `read schemasync's ledger ${sql.LEDGER_TABLE}`);
    }
  }

  async adopt(files: MigrationFile[]): Promise<void> {
    try {
      if (files.length > 0) await this.#ensure();
      for (const file of files) await this.books.command(sql.upsertLedgerEntry(file, 'adopted', this.revisions.next()));
    } catch (error) {
      throw bookkeepingError(error, `adopt goose's versions into ${sql.LEDGER_TABLE}`);
    }
  }

  /**
   * After goose's row (no transactions here): a failure is logged, not thrown, because the
   * migration itself is applied and recorded; only the edited-migration check loses this entry.
   */
  async record({ file, direction }: ApplyUnit): Promise<void> {
    try {
      await this.#ensure();
      const revision = this.revisions.next();
      await this.books.command(direction === 'up' ? sql.upsertLedgerEntry(file, 'schemasync', revision) : sql.removeLedgerEntry(file.version, revision));
    } catch (error) {
      this.logger.warn(
        { event: 'ledger:write-failed', file: file.path, err: error },
        `${file.name} is applied, but schemasync's ledger ${sql.LEDGER_TABLE} could not record it: ${messageOf(error)}`,
      );
    }
  }

  async #ensure(): Promise<void> {
    if (this.#ready) return;
    const create = sql.createLedger();
    await this.books.command(this.cluster ? clusterCreate(create, this.cluster.cluster, this.database, sql.LEDGER_TABLE) : create);
    this.#ready = true;
  }
}

interface LedgerRow {
  version: string | number;
  last_file: string;
  last_checksum: string;
  last_applied_text: string;
  last_applied_at: string | number;
  last_applied_by: string;
  last_removed: string | number;
  last_revision: string | number;
}

function entriesFromRows(rows: LedgerRow[]): LedgerEntry[] {
  return rows
    .filter((row) => Number(row.last_removed) === 0)
    .map((row) => ({
      version: Number(row.version),
      file: row.last_file,
      checksum: row.last_checksum,
      text: row.last_applied_text,
      appliedAt: new Date(Number(row.last_applied_at) * 1000),
      appliedBy: row.last_applied_by === 'adopted' ? 'adopted' : 'schemasync',
    }));
}
