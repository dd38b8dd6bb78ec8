/**
 * The shadow check: build a throwaway database on the same server, apply every migration the
 * live database has to it from scratch (with the target's own apply, as `up` would), and
 * compare its catalog with the live one. With `rollback`, go on in the same shadow: apply the
 * rest, then undo every migration newest first and compare each Down's result with the schema
 * from before its Up. The shadow database is dropped afterwards, also on failure or abort (on
 * SIGINT/SIGTERM app/lifecycle.ts aborts the signal; this module installs no signal handlers).
 */
import type { Env } from '../config/load.ts';
import { CancelledError, hasErrorCode, messageOf } from '../errors.ts';
import { runMigrations, type EngineContext } from '../engine/index.ts';
import { silentLogger, type Logger } from '../log/types.ts';
import { appliedVersions } from '../migrations/plan.ts';
import { readMigrations, splitProblems } from '../migrations/source.ts';
import type { Direction, MigrationFile } from '../migrations/types.ts';
import type { Catalog, ShadowDatabase, Target } from '../targets/target.ts';
import { escapeReason, findShadowEscape, shadowEnv } from './shadow-bounds.ts';
import { diffCatalogs, ROLLBACK_WORDING, SCHEMA_WORDING, type CatalogDifference } from './catalog-diff.ts';
import type { DriftReport, Finding } from './types.ts';

export interface ShadowContext {
  /** The target's migrations folder (absolute, or relative to projectRoot). */
  dir: string;
  projectRoot: string;
  /** Environment for `-- +goose ENVSUB ON`. */
  env: Env;
  signal?: AbortSignal;
  /** Where the shadow's applied migrations are logged (at debug); none: not logged. */
  logger?: Logger;
}

export interface ShadowOptions {
  /** Also check that every Down restores the schema from before its Up. */
  rollback?: boolean;
}

/** Differences listed in one finding's detail at most. */
const MAX_DETAIL_LINES = 20;

/**
 * `schema` findings (one per difference between the live database and its migrations applied
 * from scratch) and, with `rollback`, `rollback` findings (the first Down that fails or does not
 * restore the schema). Only the versions applied on the live database are compared, so pending
 * files (reported by checkMigrations) are no schema drift. Anything that stops the check
 * (no permission to create a database, connection, unreadable folder) is `unchecked`.
 */
export async function checkShadow(target: Target, ctx: ShadowContext, options: ShadowOptions = {}): Promise<DriftReport> {
  const check = `${options.rollback ? 'rollback' : 'shadow'}:${target.name}`;
  const unchecked = (reason: string): DriftReport => ({ findings: [], unchecked: [{ check, reason }] });
  if (!target.createShadow) return unchecked(`the ${target.name} target cannot create a shadow database`);

  const { files: all, problems } = await readMigrations(ctx.dir, { projectRoot: ctx.projectRoot, includeGo: true });
  const files = all.filter((file) => !file.go);
  const { blocking } = splitProblems(problems);
  if (blocking.length > 0) return unchecked(`the migrations cannot all be read, so they cannot be applied to a shadow database: ${blocking[0]!.error.message}`);

  let live: Catalog;
  let liveVersions: Set<number>;
  let shadow: ShadowDatabase;
  try {
    await target.connect(ctx.signal);
    liveVersions = appliedVersions(await target.listVersions());
    // A Go migration applied live (by the project's own goose build) cannot be run in a shadow:
    // comparing without it would call its effects drift.
    const goApplied = all.find((file) => file.go && liveVersions.has(file.version));
    if (goApplied) {
      return {
        findings: [],
        unchecked: [
          {
            check,
            reason: `${goApplied.path} is a Go migration applied on ${target.name}; a shadow database cannot run it, so this comparison is skipped`,
            skipped: true,
          },
        ],
      };
    }
    live = await target.introspect();
    const created = await target.createShadow();
    // No permission to create databases: say so and skip this check (it is not a failure).
    if ('unavailable' in created) return { findings: [], unchecked: [{ check, reason: created.unavailable, skipped: true }] };
    shadow = created;
  } catch (error) {
    return unchecked(`could not prepare a shadow database on ${target.where}: ${messageOf(error)}`);
  }

  try {
    // Nothing runs in the shadow before every statement the check will run is known to stay there.
    const env = shadowEnv(target.name, ctx.env, shadow.bounds, shadow.name);
    const directions = (file: MigrationFile): Direction[] => (options.rollback ? ['up', 'down'] : liveVersions.has(file.version) ? ['up'] : []);
    const planned = files.map((file) => ({ file, directions: directions(file) }));
    const escape = findShadowEscape(target.name, planned, env, shadow.bounds, shadow.name);
    if (escape) return unchecked(escapeReason(target.name, escape, shadow.bounds));
    return await compareInShadow(target.name, shadow.target, files, liveVersions, live, { ...ctx, env }, options);
  } catch (error) {
    if (hasErrorCode(error, 'CANCELLED') || ctx.signal?.aborted) throw error;
    return unchecked(`the check in the shadow database ${shadow.name} failed: ${messageOf(error)}`);
  } finally {
    await shadow.drop();
  }
}

async function compareInShadow(
  targetName: string,
  shadow: Target,
  files: MigrationFile[],
  liveVersions: Set<number>,
  live: Catalog,
  ctx: ShadowContext,
  options: ShadowOptions,
): Promise<DriftReport> {
  await shadow.connect(ctx.signal);
  // goose's version table first, as `up` would create it.
  await shadow.listVersions();
  const ordered = [...files].sort((a, b) => a.version - b.version);
  const appliedLive = ordered.filter((file) => liveVersions.has(file.version));
  const rest = ordered.filter((file) => !liveVersions.has(file.version));
  const findings: Finding[] = [];
  const unchecked: DriftReport['unchecked'] = [];
  /** Catalog before each file's Up, for the rollback comparison. */
  const before = new Map<number, Catalog>();

  const applyAll = async (batch: MigrationFile[]): Promise<boolean> => {
    for (const file of batch) {
      throwIfAborted(ctx.signal);
      if (options.rollback) before.set(file.version, await shadow.introspect());
      const failure = await tryApply(shadow, file, 'up', ctx);
      if (failure) {
        findings.push(upFailureFinding(targetName, file, failure));
        return false;
      }
    }
    return true;
  };

  if (!(await applyAll(appliedLive))) return { findings, unchecked };
  const shadowCatalog = await shadow.introspect();
  findings.push(...diffCatalogs(shadowCatalog, live, SCHEMA_WORDING).map((difference) => schemaFinding(targetName, difference)));

  if (!options.rollback) return { findings, unchecked };
  if (!(await applyAll(rest))) return { findings, unchecked };
  for (const file of [...ordered].reverse()) {
    throwIfAborted(ctx.signal);
    const failure = await tryApply(shadow, file, 'down', ctx);
    if (failure) {
      findings.push(downFailureFinding(targetName, file, failure));
      break;
    }
    const differences = diffCatalogs(before.get(file.version) ?? [], await shadow.introspect(), ROLLBACK_WORDING);
    if (differences.length > 0) {
      findings.push(rollbackFinding(targetName, file, differences));
      // Every older Down would be compared against a schema this one already left wrong.
      break;
    }
  }
  return { findings, unchecked };
}

/**
 * Applies one direction of a file through the engine's apply loop (as `up` and `down` do; its
 * lines at debug, the shadow is no news); a parse or statement failure comes back, anything else throws.
 */
async function tryApply(shadow: Target, file: MigrationFile, direction: Direction, ctx: ShadowContext): Promise<Error | undefined> {
  const engine: EngineContext = {
    target: shadow,
    dir: ctx.dir,
    projectRoot: ctx.projectRoot,
    env: ctx.env,
    logger: ctx.logger ?? silentLogger,
    allowMissing: true,
    lockTimeoutMs: 0,
    signal: ctx.signal,
  };
  try {
    await runMigrations(engine, [{ file, direction }], { target: shadow.name, applied: [] }, [], { level: 'debug' });
    return undefined;
  } catch (error) {
    if (hasErrorCode(error, 'MIGRATION') || hasErrorCode(error, 'PARSE')) return error;
    throw error;
  }
}

function schemaFinding(target: string, difference: CatalogDifference): Finding {
  const hints: Record<CatalogDifference['change'], string> = {
    extra: 'if it was made by hand, write a migration that creates it (or drop it from the database); the migrations are the source of truth',
    missing: 'if it was dropped by hand, recreate it or write a migration that drops it; the migrations are the source of truth',
    changed: 'write a migration that makes this change, or revert the manual change in the database',
  };
  return {
    kind: 'schema',
    target,
    key: `schema:${target}:${difference.change}:${difference.kind}:${difference.name}${difference.field ? `:${difference.field}` : ''}`,
    message: difference.message,
    hint: hints[difference.change],
  };
}

function upFailureFinding(target: string, file: MigrationFile, error: Error): Finding {
  return {
    kind: 'schema',
    target,
    key: `schema:${target}:up-fails:${file.version}`,
    message: `${file.path} fails when the migrations are applied to an empty ${target} database: ${error.message}`,
    hint: 'the migrations no longer build the schema from scratch (often an applied file edited later); fix the file or the one before it',
    ...where(file, error),
  };
}

function downFailureFinding(target: string, file: MigrationFile, error: Error): Finding {
  return {
    kind: 'rollback',
    target,
    key: `rollback:${target}:down-fails:${file.version}`,
    message: `the Down of ${file.path} fails on ${target}: ${error.message}`,
    hint: 'fix its -- +goose Down section so that it undoes the Up (checked newest first; older Downs were not checked)',
    ...where(file, error),
  };
}

function rollbackFinding(target: string, file: MigrationFile, differences: CatalogDifference[]): Finding {
  const shown = differences.slice(0, MAX_DETAIL_LINES).map((difference) => difference.message);
  if (differences.length > shown.length) shown.push(`… and ${differences.length - shown.length} more differences`);
  return {
    kind: 'rollback',
    target,
    key: `rollback:${target}:not-restored:${file.version}`,
    message: `the Down of ${file.path} does not restore the schema from before its Up: ${differences[0]!.message}`,
    hint: 'make its -- +goose Down section undo everything the Up does (checked newest first; older Downs were not checked)',
    file: file.path,
    detail: shown.join('\n'),
  };
}

function where(file: MigrationFile, error: Error): Pick<Finding, 'file' | 'line'> {
  const details = hasErrorCode(error, 'MIGRATION') ? error.details : undefined;
  const line = details?.line ?? (error as { line?: unknown }).line;
  return typeof line === 'number' ? { file: file.path, line } : { file: file.path };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('the shadow check was cancelled; its shadow database is being dropped.');
}
