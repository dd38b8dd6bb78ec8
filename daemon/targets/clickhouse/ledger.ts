/**
 * schemasync's ledger on ClickHouse: one row per applied migration (checksum and full text) in
 * `schemasync_migrations`, beside goose's table in the target database; goose does not know it
 * and catalog introspection skips it. Rows are only ever inserted: a ReplacingMergeTree keyed by
 * version, the newest `revision` wins, read with argMax (no FINAL, no ALTER … DELETE mutation;
 * works on 18.16), and a removal is a row with `removed = 1`. Pure SQL text and row mapping.
 */
import type { LedgerAppliedBy, LedgerEntry } from '../target.ts';
import { sqlString } from './lock.ts';
import { sqlInteger } from './queries.ts';

export const LEDGER_TABLE = 'schemasync_migrations';

export function createLedger(): string {
  return `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} ( version Int64, file String, checksum String, applied_text String, applied_at DateTime DEFAULT now(), applied_by String, removed UInt8, revision UInt64 ) ENGINE = ReplacingMergeTree(revision) ORDER BY version`;
}

/** A new revision for every write; the ledger is written under the migration lock, so one runner writes at a time. */
export function nextRevision(nowMs: number, previous: number): number {
  return Math.max(nowMs * 1000, previous + 1);
}

export function upsertEntry(file: { version: number; name: string; checksum: string; text: string }, by: LedgerAppliedBy, revision: number): string {
  const values = [sqlInteger(file.version), sqlString(file.name), sqlString(file.checksum), sqlString(file.text), sqlString(by), '0', sqlInteger(revision)];
  return `INSERT INTO ${LEDGER_TABLE} (version, file, checksum, applied_text, applied_by, removed, revision) VALUES (${values.join(', ')})`;
}

export function removeEntry(version: number, revision: number): string {
  return `INSERT INTO ${LEDGER_TABLE} (version, file, checksum, applied_text, applied_by, removed, revision) VALUES (${sqlInteger(version)}, '', '', '', '', 1, ${sqlInteger(revision)})`;
}

/** The newest row per version (removed ones included; `entriesFromRows` leaves them out). */
export function listEntries(): string {
  const last = (column: string, alias = `last_${column}`) => `argMax(${column}, revision) AS ${alias}`;
  return `SELECT version, ${last('file')}, ${last('checksum')}, ${last('applied_text')}, toUnixTimestamp(argMax(applied_at, revision)) AS last_applied_at, ${last('applied_by')}, ${last('removed')}, max(revision) AS last_revision FROM ${LEDGER_TABLE} GROUP BY version ORDER BY version`;
}

export interface LedgerRow {
  version: string | number;
  last_file: string;
  last_checksum: string;
  last_applied_text: string;
  last_applied_at: string | number;
  last_applied_by: string;
  last_removed: string | number;
  last_revision: string | number;
}

export function entriesFromRows(rows: LedgerRow[]): LedgerEntry[] {
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
