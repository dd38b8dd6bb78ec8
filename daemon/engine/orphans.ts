import path from 'node:path';

import { PlanError, toSchemasyncError, type SchemasyncError } from '../errors.ts';
import { droppedBy, type Dropped } from '../migrations/drops.ts';
import type { MigrationFile } from '../migrations/types.ts';
import type { LedgerEntry, Target } from '../targets/target.ts';
import type { EngineContext, EngineResult } from './context.ts';
import { withTargetLock } from './run.ts';
import { unitsFor } from './units.ts';

/** An applied migration whose file is on another git branch (drift/orphans.ts finds them; the engine knows no git). */
export interface OrphanRef {
  version: number;
  /** Where git has its file: `branch feature`, `commit abc1234`. */
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
export interface OrphanRollback<O extends OrphanRef = OrphanRef> extends EngineResult {
  /** Orphans still applied afterwards (the one that stopped the rollback and those older). */
  left: O[];
}

/** `00002_x.sql, 00003_y.sql from branch feature/x; 00004_z.sql from branch main`: the orphans grouped by where they come from. Pure. */
export function describeOrphans(orphans: OrphanRef[]): string {
  const bySource = new Map<string, OrphanRef[]>();
  for (const orphan of orphans) bySource.set(orphan.source, [...(bySource.get(orphan.source) ?? []), orphan]);
  return [...bySource.entries()].map(([source, group]) => `${group.map((o) => o.file).join(', ')} from ${source}`).join('; ');
}

export async function rollbackOrphans<O extends OrphanRef>(ctx: EngineContext, orphans: O[]): Promise<OrphanRollback<O>> {
  const result: OrphanRollback<O> = { target: ctx.target.name, applied: [], left: [...orphans] };
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

async function rollBackEach<O extends OrphanRef>(ctx: EngineContext, orphans: O[], result: OrphanRollback<O>): Promise<void> {
  const entries = new Map(((await ctx.target.ledger?.list()) ?? []).map((entry) => [entry.version, entry] as const));
  const newestFirst = [...orphans].sort((a, b) => b.version - a.version);
  for (const orphan of newestFirst) {
    const entry = entries.get(orphan.version);
    if (!entry) throw noRecordedText(ctx.target, orphan);
    const file = recordedFile(ctx, entry);
    const [unit] = unitsFor([file], 'down', ctx.env);
    await logWhatGoes(ctx, orphan, droppedBy(unit!.statements));
    const started = performance.now();
    await ctx.target.apply(unit!, ctx.signal);
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

function noRecordedText(target: Target, orphan: OrphanRef): SchemasyncError {
  const why = target.ledger
    ? 'schemasync has no recorded text of it (goose applied it, and its file was never seen by schemasync)'
    : `the ${target.name} target keeps no ledger of applied texts`;
  return new PlanError(
    `${orphan.file} (from ${orphan.source}) cannot be rolled back: ${why}; check out ${orphan.checkout}, run \`schemasync down\` there, and switch back`,
  );
}

/** Before anything is dropped: which tables and types go, with their rows. */
async function logWhatGoes(ctx: EngineContext, orphan: OrphanRef, dropped: Dropped[]): Promise<void> {
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
