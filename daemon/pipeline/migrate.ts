import path from 'node:path';

import type { Env } from '../config/load.ts';
import { isSchemasyncError, PlanError, SchemasyncError } from '../errors.ts';
import type { Logger } from '../log/types.ts';
import { parseMigration } from '../migrations/parse.ts';
import { currentVersion, findDuplicateVersions, planDown, planUp, statusRows } from '../migrations/plan.ts';
import { readMigrations } from '../migrations/source.ts';
import type { Direction, MigrationFile, StatusRow, VersionRow } from '../migrations/types.ts';
import type { ApplyUnit, Target } from '../targets/target.ts';

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
}

export interface AppliedMigration {
  file: string;
  version: number;
  direction: Direction;
  durationMs: number;
}

export interface EngineResult {
  target: string;
  applied: AppliedMigration[];
  /** goose's current version after the command (CLI rule); undefined when it could not be read. */
  currentVersion?: number;
  error?: SchemasyncError;
}

/** Reads the target's folder. Files whose name is no migration at all are logged and left out; any other problem stops the command. */
export async function loadMigrationFiles(ctx: Pick<EngineContext, 'dir' | 'projectRoot' | 'logger' | 'target'>): Promise<MigrationFile[]> {
  const { files, problems } = await readMigrations(ctx.dir, { projectRoot: ctx.projectRoot });
  const blocking = problems.filter((problem) => problem.error.code !== 'FILENAME');
  for (const problem of problems.filter((p) => p.error.code === 'FILENAME')) {
    ctx.logger.warn({ event: 'migration:ignored', target: ctx.target.name, file: problem.file }, `ignoring ${problem.file}: ${problem.error.message}`);
  }
  if (blocking.length > 0) throw blocking[0]!.error;
  const duplicate = findDuplicateVersions(files);
  if (duplicate) throw duplicate;
  return files;
}

/** Parses one direction of each file before anything touches the database: a bad file stops the command first. */
export function unitsFor(files: MigrationFile[], direction: Direction, env: Env): ApplyUnit[] {
  return files.map((file) => {
    const section = parseMigration(file.text, direction, { file: file.path, env });
    return { file, direction, statements: section.statements, noTransaction: section.noTransaction };
  });
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
    const units = unitsFor(plan.toApply, 'up', ctx.env);
    await applyEach(ctx, units, result);
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
    await applyEach(ctx, unitsFor(planDown(files, rows, { toVersion: options.toVersion }), 'down', ctx.env), result);
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
    const [down, up] = [...unitsFor([file], 'down', ctx.env), ...unitsFor([file], 'up', ctx.env)];
    await applyEach(ctx, [down!, up!], result);
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

async function applyEach(ctx: EngineContext, units: ApplyUnit[], result: EngineResult): Promise<void> {
  for (const unit of units) {
    const started = performance.now();
    await ctx.target.apply(unit, ctx.signal);
    const durationMs = Math.round(performance.now() - started);
    result.applied.push({ file: unit.file.path, version: unit.file.version, direction: unit.direction, durationMs });
    const empty = unit.statements.length === 0;
    ctx.logger.info(
      { event: 'migration:applied', target: ctx.target.name, file: unit.file.path, version: unit.file.version, direction: unit.direction, durationMs },
      `${empty ? 'EMPTY' : 'OK'} ${unit.direction === 'down' ? 'down ' : ''}${unit.file.name}`,
    );
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
  const adopted = files.filter((file) => applied.has(file.version) && !recorded.has(file.version));
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
  if (!file || !reapplyIf(file) || !ctx.target.ledger) return;
  const entry = (await ctx.target.ledger.list()).find((candidate) => candidate.version === newest);
  if (!entry || entry.checksum === file.checksum) return;
  const applied: MigrationFile = { ...file, text: entry.text, checksum: entry.checksum };
  const [down] = unitsFor([applied], 'down', ctx.env);
  const [up] = unitsFor([file], 'up', ctx.env);
  const started = performance.now();
  await ctx.target.applyAtomically([down!, up!], ctx.signal);
  const durationMs = Math.round(performance.now() - started);
  for (const direction of ['down', 'up'] as const) result.applied.push({ file: file.path, version: file.version, direction, durationMs });
  ctx.logger.info(
    { event: 'migration:reapplied', target: ctx.target.name, file: file.path, version: file.version, durationMs },
    `re-applied ${file.name}: down (applied text) + up (new text)`,
  );
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
  if (isSchemasyncError(error)) return error;
  // Not one of ours: a bug or a driver error we did not map. Keep the cause for the log.
  return new SchemasyncError('INTERNAL', error instanceof Error ? (error.stack ?? error.message) : String(error), { cause: error });
}
