import { appliedVersions } from '../migrations/plan.ts';
import type { MigrationFile, VersionRow } from '../migrations/types.ts';
import type { LedgerEntry } from '../targets/target.ts';
import type { EngineContext } from './context.ts';

/**
 * schemasync's ledger (the text each migration was applied with) beside goose's version rows:
 * adopting what goose applied, and rolling back with the applied text.
 */

/**
 * Versions goose applied (no ledger entry yet, file present) enter the ledger with the file's
 * current text, the best record there is; logged once, since afterwards they have an entry.
 * `entries` is the ledger as read under the lock; returns whether any version was adopted.
 */
export async function adoptGooseVersions(ctx: EngineContext, files: MigrationFile[], rows: VersionRow[], entries: LedgerEntry[]): Promise<boolean> {
  const ledger = ctx.target.ledger;
  if (!ledger) return false;
  const recorded = new Set(entries.map((entry) => entry.version));
  const applied = appliedVersions(rows);
  // A Go migration has no SQL text to record.
  const adopted = files.filter((file) => !file.go && applied.has(file.version) && !recorded.has(file.version));
  if (adopted.length === 0) return false;
  await ledger.adopt(adopted);
  ctx.logger.info(
    { event: 'ledger:adopted', target: ctx.target.name, versions: adopted.map((file) => file.version) },
    `recorded ${adopted.length} migration${adopted.length === 1 ? '' : 's'} applied by goose in schemasync's ledger on ${ctx.target.name} (${adopted.map((file) => file.name).join(', ')}); later edits to them will be reported`,
  );
  return true;
}

/**
 * The files to roll back, each with the text it was applied with when the ledger has it and the
 * file was edited since: its Down undoes what was applied, not what the file says now. Versions
 * goose applied (no ledger entry) keep the file. One line per substitution says so.
 */
export async function asApplied(ctx: EngineContext, files: MigrationFile[]): Promise<MigrationFile[]> {
  if (!ctx.target.ledger || files.every((file) => file.go)) return files;
  const entries = new Map((await ctx.target.ledger.list()).map((entry) => [entry.version, entry] as const));
  return files.map((file) => {
    const entry = entries.get(file.version);
    if (file.go || !entry || entry.checksum === file.checksum) return file;
    ctx.logger.info(
      { event: 'migration:applied-down', target: ctx.target.name, file: file.path, version: file.version, appliedAt: entry.appliedAt },
      `${file.name} was edited after it was applied: rolling it back with the Down it was applied with (recorded ${entry.appliedAt.toISOString()})`,
    );
    return { ...file, text: entry.text, checksum: entry.checksum };
  });
}
