import path from 'node:path';

import { describeOrphans, type Orphan } from '../drift/orphans.ts';
import { PlanError, type SchemasyncError } from '../errors.ts';
import { droppedBy, type Dropped } from '../migrations/drops.ts';
import type { MigrationFile } from '../migrations/types.ts';
import type { LedgerEntry, Target } from '../targets/target.ts';
import { unitsFor } from '../engine/units.ts';
import { asSchemasyncError, type EngineContext, type EngineResult } from './migrate.ts';

/**
 * Rolls back orphans (migrations applied from another branch, drift/orphans.ts) newest first,
 * each with the Down of the text it was applied with, as schemasync's ledger recorded it: the
 * file is not in the working tree, and the other branch's copy may have changed since. Each one
 * goes through the target's `apply` (one transaction on PostgreSQL, statement by statement on
 * ClickHouse), which also removes its version row and ledger entry. The first one that cannot
 * be rolled back (no recorded text, a Down that fails) stops the rollback; the older ones stay.
 */
export interface OrphanRollback extends EngineResult {
  /** Orphans still applied afterwards (the one that stopped the rollback and those older). */
  left: Orphan[];
}

export async function rollbackOrphans(ctx: EngineContext, orphans: Orphan[]): Promise<OrphanRollback> {
  const result: OrphanRollback = { target: ctx.target.name, applied: [], left: [...orphans] };
  if (orphans.length === 0) return result;
  try {
    await ctx.target.connect(ctx.signal);
    await ctx.target.withLock(() => rollBackEach(ctx, orphans, result), {
      signal: ctx.signal,
      timeoutMs: ctx.lockTimeoutMs,
      onWait: (holder) =>
        ctx.logger.warn({ event: 'lock:wait', target: ctx.target.name, holder }, `waiting for the ${ctx.target.name} migration lock, held by ${holder}`),
    });
  } catch (error) {
    result.error = asSchemasyncError(error);
  }
  if (result.error && result.left.length > 0) {
    // Which one and why is the error itself, logged by the caller; this says what stays.
    ctx.logger.warn(
      { event: 'orphans:stopped', target: ctx.target.name, left: result.left.map((o) => o.version) },
      `rollback of other branches' migrations on ${ctx.target.name} stopped at ${[...result.left].sort((a, b) => b.version - a.version)[0]!.file}; left applied as they were: ${describeOrphans(result.left)}`,
    );
  }
  return result;
}

async function rollBackEach(ctx: EngineContext, orphans: Orphan[], result: OrphanRollback): Promise<void> {
  const entries = new Map(((await ctx.target.ledger?.list()) ?? []).map((entry) => [entry.version, entry] as const));
  const newestFirst = [...orphans].sort((a, b) => b.version - a.version);
  for (const orphan of newestFirst) {
    const entry = entries.get(orphan.version);
    if (!entry) throw noRecordedText(ctx.target, orphan);
    const file = recordedFile(ctx, entry);
    const [unit] = unitsFor([file], 'down', ctx.env);
    await logWhatGoes(ctx, orphan, droppedBy(unit!.statements));
    const started = performance.now();
    try {
      await ctx.target.apply(unit!, ctx.signal);
    } catch (error) {
      throw asSchemasyncError(error);
    }
    const durationMs = Math.round(performance.now() - started);
    result.applied.push({ file: file.path, version: file.version, direction: 'down', durationMs });
    result.left = result.left.filter((left) => left.version !== orphan.version);
    ctx.logger.info(
      { event: 'migration:applied', target: ctx.target.name, file: file.path, version: file.version, direction: 'down', durationMs, orphanOf: orphan.source },
      `OK down ${entry.file} (from ${orphan.source}, with its recorded Down)`,
    );
  }
}

/** The migration as it was applied: the ledger's text under the ledger's file name. */
function recordedFile(ctx: EngineContext, entry: LedgerEntry): MigrationFile {
  const dir = path.relative(ctx.projectRoot, ctx.dir) || '.';
  return {
    version: entry.version,
    description: entry.file.replace(/^[^_]*_/, '').replace(/\.sql$/, ''),
    name: entry.file,
    // Its text is the ledger's (the file is on another branch); error positions are lines of that text.
    path: `${dir}/${entry.file}`,
    text: entry.text,
    checksum: entry.checksum,
  };
}

function noRecordedText(target: Target, orphan: Orphan): SchemasyncError {
  const why = target.ledger
    ? 'schemasync has no recorded text of it (goose applied it, and its file was never seen by schemasync)'
    : `the ${target.name} target keeps no ledger of applied texts`;
  return new PlanError(
    `${orphan.file} (from ${orphan.source}) cannot be rolled back: ${why}; check out ${orphan.checkout}, run \`schemasync down\` there, and switch back`,
  );
}

/** Before anything is dropped: which tables and types go, with their rows. */
async function logWhatGoes(ctx: EngineContext, orphan: Orphan, dropped: Dropped[]): Promise<void> {
  const parts = await Promise.all(
    dropped.map(async (item) => {
      if (item.kind !== 'table') return { ...item, rows: undefined, text: `${item.kind} ${item.name}` };
      const rows = await ctx.target.countRows?.(item.name);
      return { ...item, rows, text: `table ${item.name} (${rows === undefined ? 'rows unknown' : `${rows} row${rows === 1 ? '' : 's'}`})` };
    }),
  );
  ctx.logger.warn(
    {
      event: 'orphans:drop',
      target: ctx.target.name,
      version: orphan.version,
      file: orphan.file,
      from: orphan.source,
      drops: parts.map(({ kind, name, rows }) => ({ kind, name, rows })),
    },
    `rolling back ${orphan.file} (from ${orphan.source}): ${parts.length === 0 ? 'its Down drops no table or type' : `drops ${parts.map((p) => p.text).join(', ')}`}`,
  );
}
