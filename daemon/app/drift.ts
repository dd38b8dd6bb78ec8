/**
 * Drift wired in one place: what the drift checks can look at in this project (shared by the
 * daemon's drift step, its shadow comparison and `verify`), and how their findings are logged.
 */
import { ROW_TYPES_SPEC } from '../config/targets.ts';
import { findingLocation } from '../drift/report.ts';
import type { DriftSources } from '../drift/run.ts';
import { DriftTracker, type DriftChanges } from '../drift/tracker.ts';
import type { Unchecked } from '../drift/types.ts';
import type { Logger } from '../log/types.ts';
import type { DriftLog, DriftStepSetup } from '../pipeline/steps/drift.ts';
import type { Target } from '../targets/target.ts';
import type { Project } from './project.ts';

/**
 * What the drift checks can look at in this project now: the targets that answered (an
 * unreachable one is `unchecked`), Prisma when schema.prisma and the project's prisma exist and
 * the types target answered, sqlc when its config and the sqlc binary exist. A configured tool
 * that is missing is `unchecked` too (exit 2), since a CI job must not pass for lack of a tool.
 * Read from the project model each time, so a sqlc config added or renamed meanwhile is the one checked.
 */
export function driftSources(project: Project, reachable: Target[]): DriftSources {
  const { config, env } = project.ctx;
  const sources: DriftSources = {
    targets: reachable.map((target) => ({ target, dir: project.targets.dirs.get(target.name)! })),
    projectRoot: config.projectRoot,
    env,
    // Applied migrations whose file is on another git branch are orphans, not deleted files.
    orphans: project.orphans,
    unchecked: project.tools.missing.map(({ tool, reason }) => ({ check: tool, reason })),
  };
  const prisma = project.prisma;
  if (prisma && reachable.some((t) => t.name === project.targets.types?.target.name)) {
    const generatedFrom = project.memory.get().prismaGeneratedFrom;
    sources.prisma = { context: prisma, projectRoot: config.projectRoot, timeoutMs: config.prisma.timeoutMs, ...(generatedFrom ? { generatedFrom } : {}) };
  }
  const rowTarget = reachable.find((target) => target.name === ROW_TYPES_SPEC.name);
  if (rowTarget) {
    const { dir, go } = config.clickhouseTypes;
    sources.clickhouseTypes = { target: rowTarget, projectRoot: config.projectRoot, dir: project.targets.dirs.get(rowTarget.name)!, tsDir: dir, go };
  }
  const sqlc = project.sqlcReady;
  if (sqlc) sources.sqlc = { context: sqlc, projectRoot: config.projectRoot, timeoutMs: config.sqlc.timeoutMs };
  return sources;
}

/** The daemon's drift step set-up: the sources, one tracker for the step and the shadow comparison, and the step's log. */
export function driftSetup(project: Project): DriftStepSetup {
  // The run's apply step holds untouched templates and says so itself (pipeline/steps/apply.ts).
  return {
    sources: () => ({ ...driftSources(project, project.targets.targets), templatesHeld: true }),
    tracker: new DriftTracker(),
    log: driftLog(project.ctx.logger),
  };
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
