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

/** One step of a plan: a file and which way to run it (a redo is a Down, then an Up of the same file). */
export interface PlannedStep {
  file: MigrationFile;
  direction: Direction;
}

export interface RunOptions {
  /** Apply every step as one (watch mode's re-apply of the edited newest: its old Down and new Up in one transaction). */
  atomic?: boolean;
  /** Before each unit, under the lock (the orphan rollback says what its Down drops; the shadow check reads the catalog). */
  beforeEach?(unit: ApplyUnit): Promise<void>;
  /** The log line of an applied unit (or of the atomic batch), when not goose's `OK name`. */
  line?(unit: ApplyUnit): { msg: string; fields?: Record<string, unknown> };
  /** Level of the applied lines: the shadow check's applies are no news (debug). */
  level?: 'info' | 'debug';
}

/**
 * goose's runMigrations, the one apply loop of the house (up, down, redo, the re-apply of the
 * edited newest, the orphan rollback and the shadow check all use it): every SQL step before the
 * first Go migration is parsed before any is applied; each is applied in order (or all as one,
 * `atomic`), timed, recorded in `result.applied`, logged, and told to the schema log; then a Go
 * migration stops the run with an error naming its file (goose's stock binary cannot run it).
 */
export async function runMigrations(
  ctx: EngineContext,
  steps: PlannedStep[],
  result: EngineResult,
  rows: VersionRow[],
  options: RunOptions = {},
): Promise<ApplyUnit[]> {
  const stop = steps.findIndex((step) => step.file.go);
  const units = (stop === -1 ? steps : steps.slice(0, stop)).map((step) => unitsFor([step.file], step.direction, ctx.env)[0]!);
  const schema = schemaLogFor(ctx, options.atomic ? 1 : units.length);
  if (units.length > 0) await schema?.begin(rows);
  const batches = options.atomic && units.length > 0 ? [units] : units.map((unit) => [unit]);
  for (const batch of batches) {
    for (const unit of batch) await options.beforeEach?.(unit);
    const started = performance.now();
    await guarded(schema, batch.length === 1 ? ctx.target.apply(batch[0]!, ctx.signal) : ctx.target.applyAtomically(batch, ctx.signal));
    const durationMs = Math.round(performance.now() - started);
    if (batch === batches.at(-1)) ctx.committed?.();
    for (const unit of batch) {
      result.applied.push({
        file: unit.file.path,
        version: unit.file.version,
        direction: unit.direction,
        durationMs,
        ...(options.atomic ? { reapplied: true as const } : {}),
      });
    }
    const [unit] = batch;
    const line = options.line?.(unit!) ?? {
      msg: `${unit!.statements.length === 0 ? 'EMPTY' : 'OK'} ${unit!.direction === 'down' ? 'down ' : ''}${unit!.file.name}`,
    };
    ctx.logger[options.level ?? 'info'](
      {
        event: 'migration:applied',
        target: ctx.target.name,
        file: unit!.file.path,
        version: unit!.file.version,
        direction: unit!.direction,
        durationMs,
        ...line.fields,
      },
      line.msg,
    );
    await schema?.after(unit!.file, options.atomic ? 'reapplied' : unit!.direction);
  }
  if (stop !== -1) {
    result.stoppedAtGo = steps[stop]!.file.path;
    throw new GoMigrationError(steps[stop]!.file.path, steps[stop]!.direction);
  }
  return units;
}

/** The plan's files, all one way. */
export const stepsOf = (files: MigrationFile[], direction: Direction): PlannedStep[] => files.map((file) => ({ file, direction }));

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
