import path from 'node:path';

import type { Env } from '../config/load.ts';
import { GoMigrationError, PlanError, toSchemasyncError, type SchemasyncError } from '../errors.ts';
import type { Logger } from '../log/types.ts';
import { SQL_TEMPLATE } from '../migrations/filename.ts';
import { currentVersion, findDuplicateVersions, planDown, planUp, statusRows } from '../migrations/plan.ts';
import { readMigrations } from '../migrations/source.ts';
import type { Direction, MigrationFile, StatusRow, VersionRow } from '../migrations/types.ts';
import { unitsFor } from '../engine/units.ts';
import type { ApplyUnit, Target } from '../targets/target.ts';
import { SchemaLog } from './schema-log.ts';

/**
 * The migration engine: goose's up / down / redo / status for one target, used alike by the
 * one-shot commands and the pipeline's apply step. Functions here report; they do not throw:
 * a failure comes back in `error`, next to what was applied before it.
 */
export interface EngineContext {
  target: Target;
  dir: string;
  projectRoot: string;
  /** Environment for `-- +goose ENVSUB ON`. */
  env: Env;
  logger: Logger;
  allowMissing: boolean;
  lockTimeoutMs: number;
  signal?: AbortSignal;
  /**
   * Says what each migration did to the schema; the daemon keeps one per target across runs.
   * Without it, a command gets its own. Batches over SCHEMA_LOG_MAX_UNITS are not described.
   */
  schemaLog?: SchemaLog;
}

/** Only batches this small have their schema changes described: each file costs a catalog read. */
const SCHEMA_LOG_MAX_UNITS = 10;

export interface AppliedMigration {
  file: string;
  version: number;
  direction: Direction;
  durationMs: number;
  /** Half of re-applying an edited migration (watch mode): its old Down or its new Up. */
  reapplied?: true;
}

export interface EngineResult {
  target: string;
  applied: AppliedMigration[];
  /** goose's current version after the command (CLI rule); undefined when it could not be read. */
  currentVersion?: number;
  /** Watch mode: the first pending file still holding `schemasync create`'s untouched template; nothing from it on was applied. */
  waitingForSql?: MigrationFile;
  error?: SchemasyncError;
}

/** Reads the target's folder. Files whose name is no migration at all are logged and left out; any other problem stops the command. */
export async function loadMigrationFiles(ctx: Pick<EngineContext, 'dir' | 'projectRoot' | 'logger' | 'target'>): Promise<MigrationFile[]> {
  const { files, problems } = await readMigrations(ctx.dir, { projectRoot: ctx.projectRoot, includeGo: true });
  const blocking = problems.filter((problem) => problem.error.code !== 'FILENAME');
  for (const problem of problems.filter((p) => p.error.code === 'FILENAME')) {
    ctx.logger.warn({ event: 'migration:ignored', target: ctx.target.name, file: problem.file }, `ignoring ${problem.file}: ${problem.error.message}`);
  }
  if (blocking.length > 0) throw blocking[0]!.error;
  const duplicate = findDuplicateVersions(files);
  if (duplicate) throw duplicate;
  return files;
}

export interface UpOptions {
  toVersion?: number;
  /** The folder as already read by the caller (the pipeline's validate step). */
  files?: MigrationFile[];
  /**
   * Watch mode: when the newest applied migration passes this test (it is among the changed
   * files) and its text differs from the ledger's, re-apply it first (see `reapplyEditedNewest`).
   */
  reapplyIf?: (file: MigrationFile) => boolean;
  /**
   * Watch mode: stop before the first pending file whose text is still goose's untouched
   * template (`create` wrote it a moment ago; its SQL is not written yet). Applied, it would be
   * "edited after it was applied" as soon as the developer fills it in.
   */
  holdTemplates?: boolean;
  /** Applied versions without a file that were already reported (orphans of another git branch): no file-missing warning. */
  quietMissing?: number[];
}

/** goose up / up-to, after adopting goose-applied versions into the ledger (and, in watch mode, re-applying the edited newest migration). */
export async function migrateUp(ctx: EngineContext, options: UpOptions = {}): Promise<EngineResult> {
  return runLocked(ctx, async (result) => {
    const files = options.files ?? (await loadMigrationFiles(ctx));
    const rows = await ctx.target.listVersions();
    const plan = planUp(files, rows, { toVersion: options.toVersion, allowMissing: ctx.allowMissing });
    reportMissingFiles(
      ctx,
      plan.missingFiles.filter((version) => !options.quietMissing?.includes(version)),
    );
    await adoptGooseVersions(ctx, files, rows);
    if (options.reapplyIf) await reapplyEditedNewest(ctx, files, rows, options.reapplyIf, result);
    const template = options.holdTemplates ? plan.toApply.findIndex((file) => file.text === SQL_TEMPLATE) : -1;
    if (template !== -1) result.waitingForSql = plan.toApply[template];
    const units = await applyUntilGo(ctx, template === -1 ? plan.toApply : plan.toApply.slice(0, template), 'up', result, rows);
    if (units.length === 0 && result.applied.length === 0) {
      ctx.logger.debug(
        { event: 'migrate:noop', target: ctx.target.name, version: plan.currentVersion },
        `no migrations to run, current version: ${plan.currentVersion}`,
      );
    }
    return rows;
  });
}

export async function migrateDown(ctx: EngineContext, options: { toVersion?: number } = {}): Promise<EngineResult> {
  return runLocked(ctx, async (result) => {
    const files = await loadMigrationFiles(ctx);
    const rows = await ctx.target.listVersions();
    await applyUntilGo(ctx, await asApplied(ctx, planDown(files, rows, { toVersion: options.toVersion })), 'down', result, rows);
    return rows;
  });
}

/** goose's redo: the current version's Down, then its Up (two transactions, as goose does). */
export async function migrateRedo(ctx: EngineContext): Promise<EngineResult> {
  return runLocked(ctx, async (result) => {
    const files = await loadMigrationFiles(ctx);
    const rows = await ctx.target.listVersions();
    const [file] = planDown(files, rows, {});
    if (!file) throw new PlanError(`${ctx.target.name}: nothing to redo`);
    if (file.go) throw new GoMigrationError(file.path, 'down');
    const [down, up] = [...unitsFor(await asApplied(ctx, [file]), 'down', ctx.env), ...unitsFor([file], 'up', ctx.env)];
    await applyEach(ctx, [down!, up!], result, rows);
    return rows;
  });
}

export async function migrationStatus(ctx: EngineContext): Promise<{ rows: StatusRow[]; error?: SchemasyncError }> {
  try {
    const files = await loadMigrationFiles(ctx);
    const rows = await ctx.target.listVersions();
    return { rows: statusRows(ctx.target.name, files, rows) };
  } catch (error) {
    return { rows: [], error: asSchemasyncError(error) };
  }
}

/** Runs `body` under the target's lock; `body` returns the version rows it read, reused when it applied nothing. */
async function runLocked(ctx: EngineContext, body: (result: EngineResult) => Promise<VersionRow[]>): Promise<EngineResult> {
  const result: EngineResult = { target: ctx.target.name, applied: [] };
  try {
    await ctx.target.connect(ctx.signal);
    await ctx.target.withLock(
      async () => {
        const rows = await body(result);
        result.currentVersion = currentVersion(result.applied.length > 0 ? await ctx.target.listVersions() : rows);
      },
      {
        signal: ctx.signal,
        timeoutMs: ctx.lockTimeoutMs,
        onWait: (holder) =>
          ctx.logger.warn({ event: 'lock:wait', target: ctx.target.name, holder }, `waiting for the ${ctx.target.name} migration lock, held by ${holder}`),
      },
    );
  } catch (error) {
    result.error = asSchemasyncError(error);
  }
  return result;
}

/**
 * The files to roll back, each with the text it was applied with when the ledger has it and the
 * file was edited since: its Down undoes what was applied, not what the file says now. Versions
 * goose applied (no ledger entry) keep the file. One line per substitution says so.
 */
async function asApplied(ctx: EngineContext, files: MigrationFile[]): Promise<MigrationFile[]> {
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

/**
 * goose's way with a Go migration it has not registered: the files before it run, then it stops
 * with an error naming the file. Every SQL file before it is parsed before any is applied.
 */
async function applyUntilGo(ctx: EngineContext, files: MigrationFile[], direction: Direction, result: EngineResult, rows: VersionRow[]): Promise<ApplyUnit[]> {
  const stop = files.findIndex((file) => file.go);
  const units = unitsFor(stop === -1 ? files : files.slice(0, stop), direction, ctx.env);
  await applyEach(ctx, units, result, rows);
  if (stop !== -1) throw new GoMigrationError(files[stop]!.path, direction);
  return units;
}

async function applyEach(ctx: EngineContext, units: ApplyUnit[], result: EngineResult, rows: VersionRow[]): Promise<void> {
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
 * The schema log for a batch of `units`: the daemon's own, or one for this command. A large batch
 * (a first start applying hundreds of files) is not described: a catalog read per file would
 * cost seconds, and a list that long is no help in a log.
 */
function schemaLogFor(ctx: EngineContext, units: number): SchemaLog | undefined {
  if (units > SCHEMA_LOG_MAX_UNITS) {
    ctx.schemaLog?.forget();
    return undefined;
  }
  return ctx.schemaLog ?? (units > 0 ? new SchemaLog(ctx.target, ctx.logger) : undefined);
}

/** A failed or cancelled apply may leave any schema (ClickHouse has no transactions): the kept catalog is forgotten. */
async function guarded(schema: SchemaLog | undefined, applying: Promise<void>): Promise<void> {
  try {
    await applying;
  } catch (error) {
    schema?.forget();
    throw error;
  }
}

/**
 * Versions goose applied (no ledger entry yet, file present) enter the ledger with the file's
 * current text, the best record there is; logged once, since afterwards they have an entry.
 */
async function adoptGooseVersions(ctx: EngineContext, files: MigrationFile[], rows: VersionRow[]): Promise<void> {
  const ledger = ctx.target.ledger;
  if (!ledger) return;
  const recorded = new Set((await ledger.list()).map((entry) => entry.version));
  const applied = new Set(rows.filter((row) => row.isApplied && row.version !== 0).map((row) => row.version));
  // A Go migration has no SQL text to record.
  const adopted = files.filter((file) => !file.go && applied.has(file.version) && !recorded.has(file.version));
  if (adopted.length === 0) return;
  await ledger.adopt(adopted);
  ctx.logger.info(
    { event: 'ledger:adopted', target: ctx.target.name, versions: adopted.map((file) => file.version) },
    `recorded ${adopted.length} migration${adopted.length === 1 ? '' : 's'} applied by goose in schemasync's ledger on ${ctx.target.name} (${adopted.map((file) => file.name).join(', ')}); later edits to them will be reported`,
  );
}

/**
 * The migration being written: when the newest applied migration (goose's current version) is
 * selected by `reapplyIf` and its text differs from the ledger's copy, run the Down of the
 * applied text and then the new Up through `applyAtomically` (one transaction on PostgreSQL, so
 * a failing new Up leaves the old state). Without a ledger entry there is no applied text to
 * undo with, so nothing is done.
 */
async function reapplyEditedNewest(
  ctx: EngineContext,
  files: MigrationFile[],
  rows: VersionRow[],
  reapplyIf: (file: MigrationFile) => boolean,
  result: EngineResult,
): Promise<void> {
  const newest = currentVersion(rows);
  const file = files.find((candidate) => candidate.version === newest);
  if (!file || file.go || !reapplyIf(file) || !ctx.target.ledger) return;
  const entry = (await ctx.target.ledger.list()).find((candidate) => candidate.version === newest);
  if (!entry || entry.checksum === file.checksum) return;
  const applied: MigrationFile = { ...file, text: entry.text, checksum: entry.checksum };
  const [down] = unitsFor([applied], 'down', ctx.env);
  const [up] = unitsFor([file], 'up', ctx.env);
  const schema = schemaLogFor(ctx, 1);
  await schema?.begin(rows);
  const started = performance.now();
  await guarded(schema, ctx.target.applyAtomically([down!, up!], ctx.signal));
  const durationMs = Math.round(performance.now() - started);
  for (const direction of ['down', 'up'] as const) result.applied.push({ file: file.path, version: file.version, direction, durationMs, reapplied: true });
  ctx.logger.info(
    { event: 'migration:reapplied', target: ctx.target.name, file: file.path, version: file.version, durationMs },
    `re-applied ${file.name}: down (applied text) + up (new text)`,
  );
  await schema?.after(file, 'reapplied');
}

function reportMissingFiles(ctx: EngineContext, versions: number[]): void {
  for (const version of versions) {
    ctx.logger.warn(
      { event: 'migration:file-missing', target: ctx.target.name, version },
      `version ${version} is applied on ${ctx.target.name} but has no file in ${path.relative(ctx.projectRoot, ctx.dir) || '.'}`,
    );
  }
}

export function asSchemasyncError(error: unknown): SchemasyncError {
  return toSchemasyncError(error);
}
