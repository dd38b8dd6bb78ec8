/**
 * schemasync's ledger on PostgreSQL: one row per applied migration (checksum and full text), in
 * a schema of its own, `schemasync`, which catalog introspection skips and `prisma db pull`
 * never sees (it introspects only the datasource's schemas). Pure SQL text and row mapping;
 * target.ts runs them.
 */
import type { LedgerAppliedBy, LedgerEntry } from '../target.ts';

export const LEDGER_SCHEMA = 'schemasync';
export const LEDGER_TABLE = `${LEDGER_SCHEMA}.migrations`;

/** Both statements are idempotent; the caller serializes concurrent creators with an advisory transaction lock. */
export function createLedger(): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${LEDGER_SCHEMA}`,
    `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (
       version bigint PRIMARY KEY,
       file text NOT NULL,
       checksum text NOT NULL,
       applied_text text NOT NULL,
       applied_at timestamptz NOT NULL DEFAULT now(),
       applied_by text NOT NULL CHECK (applied_by IN ('schemasync', 'adopted'))
     )`,
  ];
}

/** One row `{ exists: boolean }`. */
export function ledgerExists(): string {
  return `SELECT to_regclass('${LEDGER_TABLE}') IS NOT NULL AS exists`;
}

/** Parameters: version, file, checksum, applied_text, applied_by. Replaces the version's entry. */
export function upsertEntry(): string {
  return `INSERT INTO ${LEDGER_TABLE} (version, file, checksum, applied_text, applied_by) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (version) DO UPDATE SET file = EXCLUDED.file, checksum = EXCLUDED.checksum,
    applied_text = EXCLUDED.applied_text, applied_by = EXCLUDED.applied_by, applied_at = now()`;
}

/** Parameter: version. */
export function deleteEntry(): string {
  return `DELETE FROM ${LEDGER_TABLE} WHERE version = $1`;
}

export function listEntries(): string {
  return `SELECT version, file, checksum, applied_text, applied_at, applied_by FROM ${LEDGER_TABLE} ORDER BY version`;
}

export interface LedgerRow {
  version: string | number;
  file: string;
  checksum: string;
  applied_text: string;
  applied_at: Date;
  applied_by: string;
}

export function entryFromRow(row: LedgerRow): LedgerEntry {
  return {
    version: Number(row.version),
    file: row.file,
    checksum: row.checksum,
    text: row.applied_text,
    appliedAt: row.applied_at,
    appliedBy: row.applied_by === 'adopted' ? 'adopted' : 'schemasync',
  };
}

/** The parameters of `upsertEntry` for a file. */
export function upsertValues(file: { version: number; name: string; checksum: string; text: string }, by: LedgerAppliedBy): unknown[] {
  return [file.version, file.name, file.checksum, file.text, by];
}
