import path from 'node:path';

import { PlanError, toSchemasyncError, type SchemasyncError } from '../errors.ts';
import { droppedBy, type Dropped } from '../migrations/drops.ts';
import type { MigrationFile } from '../migrations/types.ts';
import type { ApplyUnit, LedgerEntry, Target } from '../targets/target.ts';
import type { EngineContext, EngineResult } from './context.ts';
import { runMigrations, withTargetLock } from './run.ts';

/** An applied migration whose file is on another git branch (drift/orphans.ts finds them; the engine knows no git). */
export interface Orphan {
  version: number;
  /** Where git has its file, for messages: `branch feature`, `branch feature before abc1234` (a rewritten commit), `commit abc1234`. */
  source: string;
  /** What to check out to have the file again. */
  checkout: string;
  /** The file's name there. */
  file: string;
}

/**
 * Rolls back orphans newest first, each with the Down of the text it was applied with, as
 * schemasync's ledger recorded it: the file is not in the working tree, and the other branch's
 * copy may have changed since. Each one goes through the target's `apply` (one transaction on
 * PostgreSQL, statement by statement on ClickHouse), which also removes its version row and
 * ledger entry. The first one that cannot be rolled back (no recorded text, a Down that fails)
 * stops the rollback; the older ones stay.
 */
export interface OrphanRollback extends EngineResult {
  /** Orphans still applied afterwards (the one that stopped the rollback and those older). */
  left: Orphan[];
}

/** `00002_x.sql, 00003_y.sql from branch feature/x; 00004_z.sql from branch main`: the orphans grouped by where they come from. Pure. */
export function describeOrphans(orphans: Orphan[]): string {
  const bySource = new Map<string, Orphan[]>();
  for (const orphan of orphans) bySource.set(orphan.source, [...(bySource.get(orphan.source) ?? []), orphan]);
  return [...bySource.entries()].map(([source, group]) => `${group.map((o) => o.file).join(', ')} from ${source}`).join('; ');
}

export async function rollbackOrphans(ctx: EngineContext, orphans: Orphan[]): Promise<OrphanRollback> {
  const result: OrphanRollback = { target: ctx.target.name, applied: [], left: [...orphans] };
  if (orphans.length === 0) return result;
  try {
    await withTargetLock(ctx, () => rollBackEach(ctx, orphans, result));
  } catch (error) {
    result.error = toSchemasyncError(error);
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
  // The first one without a recorded text stops the rollback: the newer ones go, it and the older ones stay.
  const stop = newestFirst.findIndex((orphan) => !entries.has(orphan.version));
  const runnable = new Map((stop === -1 ? newestFirst : newestFirst.slice(0, stop)).map((orphan) => [orphan.version, orphan] as const));
  const orphanOf = (unit: ApplyUnit) => runnable.get(unit.file.version)!;
  try {
    await runMigrations(
      ctx,
      [...runnable.keys()].map((version) => ({ file: recordedFile(ctx, entries.get(version)!), direction: 'down' as const })),
      result,
      await ctx.target.listVersions(),
      {
        beforeEach: (unit) => logWhatGoes(ctx, orphanOf(unit), droppedBy(unit.statements)),
        line: (unit) => ({
          msg: `OK down ${unit.file.name} (from ${orphanOf(unit).source}, with its recorded Down)`,
          fields: { orphanOf: orphanOf(unit).source },
        }),
      },
    );
  } finally {
    const done = new Set(result.applied.map((applied) => applied.version));
    result.left = result.left.filter((left) => !done.has(left.version));
  }
  if (stop !== -1) throw noRecordedText(ctx.target, newestFirst[stop]!);
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
