/**
 * Drift wired in one place: what the drift checks can look at in this project (shared by the
 * daemon's drift step, its shadow comparison and `verify`), and how their findings are logged.
 */
import type { Env, LoadedConfig } from '../config/load.ts';
import { gitOrphanLocator } from '../drift/orphans.ts';
import { findingLocation } from '../drift/report.ts';
import type { DriftSources } from '../drift/run.ts';
import { DriftTracker, type DriftChanges } from '../drift/tracker.ts';
import type { Unchecked } from '../drift/types.ts';
import type { Logger } from '../log/types.ts';
import type { MemoryFile } from '../pipeline/memory.ts';
import type { DriftLog, DriftStepSetup } from '../pipeline/steps/drift.ts';
import type { Target } from '../targets/target.ts';
import { TYPES_TARGET, type OpenedTargets } from './targets.ts';
import { locateProjectTools } from './tools.ts';

type Context = LoadedConfig & { logger: Logger };

/**
 * What the drift checks can look at in this project: the targets that answered (an unreachable
 * one is `unchecked`), Prisma when schema.prisma and the project's prisma exist and PostgreSQL
 * answered, sqlc when sqlc.yaml and the sqlc binary exist. A configured tool that is missing is
 * `unchecked` too (exit 2), since a CI job must not pass for lack of a tool.
 */
export async function driftSources(ctx: Context, opened: OpenedTargets, reachable: Target[], memory: MemoryFile): Promise<DriftSources> {
  const { config, env } = ctx;
  const sources: DriftSources = {
    targets: reachable.map((target) => ({
      target,
      dir: opened.dirs.get(target.name)!,
    })),
    ...databaseSources(config.projectRoot, env),
    unchecked: [],
  };

  const found = await locateProjectTools(config, env);
  sources.unchecked.push(...found.missing.map(({ tool, reason }) => ({ check: tool, reason })));
  if (found.prismaCli && opened.postgresUrl && reachable.some((t) => t.name === TYPES_TARGET)) {
    const generatedFrom = memory.get().prismaGeneratedFrom;
    sources.prisma = {
      context: { cli: found.prismaCli, schema: config.prisma.schema, configFile: config.prisma.configFile, databaseUrl: opened.postgresUrl },
      projectRoot: config.projectRoot,
      timeoutMs: config.prisma.timeoutMs,
      ...(generatedFrom ? { generatedFrom } : {}),
    };
  }
  const clickhouse = reachable.find((target) => target.name === 'clickhouse');
  if (clickhouse) {
    const { dir, go } = config.clickhouseTypes;
    sources.clickhouseTypes = { target: clickhouse, projectRoot: config.projectRoot, dir: config.clickhouse.dir, tsDir: dir, go };
  }
  if (found.sqlcBinary) {
    sources.sqlc = {
      context: { binary: found.sqlcBinary, configFile: config.sqlc.configFile },
      projectRoot: config.projectRoot,
      timeoutMs: config.sqlc.timeoutMs,
    };
  }
  return sources;
}

/** What the migration and shadow checks need besides the targets. */
function databaseSources(projectRoot: string, env: Env): Pick<DriftSources, 'projectRoot' | 'env' | 'orphans'> {
  // Applied migrations whose file is on another git branch are orphans, not deleted files.
  return { projectRoot, env, orphans: gitOrphanLocator(projectRoot) };
}

/** The daemon's drift step set-up: the sources, one tracker for the step and the shadow comparison, and the step's log. */
export async function driftSetup(ctx: Context, opened: OpenedTargets, reachable: Target[], memory: MemoryFile): Promise<DriftStepSetup> {
  // The run's apply step holds untouched templates and says so itself (pipeline/steps/apply.ts).
  const sources = { ...(await driftSources(ctx, opened, reachable, memory)), templatesHeld: true };
  return { sources, tracker: new DriftTracker(), log: driftLog(ctx.logger) };
}

/** A drift log for one caller (the drift step, the shadow comparison): each unchecked reason said once. */
export function driftLog(logger: Logger): DriftLog {
  const reported = new Set<string>();
  return {
    changes: (changes) => logDriftChanges(logger, changes),
    unchecked: (unchecked) => logUnchecked(logger, unchecked, reported),
  };
}

/**
 * Logs what appeared (a warning with the finding's fields: kind, key, target, file, line, hint,
 * detail) and what was resolved (info).
 */
export function logDriftChanges(logger: Logger, changes: DriftChanges): void {
  for (const finding of changes.appeared) {
    const where = findingLocation(finding);
    // The diff travels in the `detail` field only: the pretty log prints a multi-line field below
    // the message, so putting it in the message too printed it twice.
    logger.warn({ event: 'drift', ...finding }, `drift: ${where ? `${where}: ` : ''}${finding.message}\nfix: ${finding.hint}`);
  }
  for (const finding of changes.resolved) {
    logger.info(
      {
        event: 'drift:resolved',
        kind: finding.kind,
        key: finding.key,
        target: finding.target,
        file: finding.file,
      },
      `resolved: ${finding.message}`,
    );
  }
}

/** A check that could not run is said once per distinct reason, not after every run. */
export function logUnchecked(logger: Logger, unchecked: Unchecked[], reported: Set<string>): void {
  for (const item of unchecked) {
    const id = `${item.check}\n${item.reason}`;
    if (reported.has(id)) continue;
    reported.add(id);
    logger.warn({ event: 'drift:unchecked', check: item.check, reason: item.reason }, `drift check ${item.check} could not run: ${item.reason}`);
  }
}
