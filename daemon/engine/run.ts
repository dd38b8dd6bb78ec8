import { GoMigrationError, toSchemasyncError } from '../errors.ts';
import { currentVersion } from '../migrations/plan.ts';
import type { Direction, MigrationFile, VersionRow } from '../migrations/types.ts';
import type { ApplyUnit } from '../targets/target.ts';
import type { EngineContext, EngineResult, SchemaObserver } from './context.ts';
import { unitsFor } from './units.ts';

/** Only batches this small have their schema changes described: each file costs a catalog read. */
const SCHEMA_LOG_MAX_UNITS = 10;

/** Connects and runs `body` under the target's migration lock, saying who holds it while waiting. */
export async function withTargetLock(ctx: EngineContext, body: () => Promise<void>): Promise<void> {
  await ctx.target.connect(ctx.signal);
  await ctx.target.withLock(body, {
    signal: ctx.signal,
    timeoutMs: ctx.lockTimeoutMs,
    onWait: (holder) =>
      ctx.logger.warn({ event: 'lock:wait', target: ctx.target.name, holder }, `waiting for the ${ctx.target.name} migration lock, held by ${holder}`),
  });
}

/** Runs `body` under the target's lock; `body` returns the version rows it read, reused when it applied nothing. */
export async function runLocked(ctx: EngineContext, body: (result: EngineResult) => Promise<VersionRow[]>): Promise<EngineResult> {
  const result: EngineResult = { target: ctx.target.name, applied: [] };
  try {
    await withTargetLock(ctx, async () => {
      const rows = await body(result);
      result.rows = result.applied.length > 0 ? await ctx.target.listVersions() : rows;
      result.currentVersion = currentVersion(result.rows);
    });
  } catch (error) {
    result.error = toSchemasyncError(error);
  }
  return result;
}

/**
 * goose's way with a Go migration it has not registered: the files before it run, then it stops
 * with an error naming the file. Every SQL file before it is parsed before any is applied.
 */
export async function applyUntilGo(
  ctx: EngineContext,
  files: MigrationFile[],
  direction: Direction,
  result: EngineResult,
  rows: VersionRow[],
): Promise<ApplyUnit[]> {
  const stop = files.findIndex((file) => file.go);
  const units = unitsFor(stop === -1 ? files : files.slice(0, stop), direction, ctx.env);
  await applyEach(ctx, units, result, rows);
  if (stop !== -1) {
    result.stoppedAtGo = files[stop]!.path;
    throw new GoMigrationError(files[stop]!.path, direction);
  }
  return units;
}

export async function applyEach(ctx: EngineContext, units: ApplyUnit[], result: EngineResult, rows: VersionRow[]): Promise<void> {
  const schema = schemaLogFor(ctx, units.length);
  if (units.length > 0) await schema?.begin(rows);
  for (const unit of units) {
    const started = performance.now();
    await guarded(schema, ctx.target.apply(unit, ctx.signal));
    const durationMs = Math.round(performance.now() - started);
    result.applied.push({ file: unit.file.path, version: unit.file.version, direction: unit.direction, durationMs });
    const empty = unit.statements.length === 0;
    ctx.logger.info(
      { event: 'migration:applied', target: ctx.target.name, file: unit.file.path, version: unit.file.version, direction: unit.direction, durationMs },
      `${empty ? 'EMPTY' : 'OK'} ${unit.direction === 'down' ? 'down ' : ''}${unit.file.name}`,
    );
    await schema?.after(unit.file, unit.direction);
  }
}

/**
 * The schema log for a batch of `units`, if any. A large batch (a first start applying hundreds
 * of files) is not described: a catalog read per file would cost seconds, and a list that long is
 * no help in a log.
 */
export function schemaLogFor(ctx: EngineContext, units: number): SchemaObserver | undefined {
  if (units > SCHEMA_LOG_MAX_UNITS) {
    ctx.schemaLog?.forget();
    return undefined;
  }
  return ctx.schemaLog;
}

/** A failed or cancelled apply may leave any schema (ClickHouse has no transactions): the kept catalog is forgotten. */
export async function guarded(schema: SchemaObserver | undefined, applying: Promise<void>): Promise<void> {
  try {
    await applying;
  } catch (error) {
    schema?.forget();
    throw error;
  }
}
