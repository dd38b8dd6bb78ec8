import { TYPES_SPEC } from '../config/targets.ts';
import { messageOf } from '../errors.ts';
import { runDriftChecks } from '../drift/run.ts';
import type { DriftReport, Unchecked } from '../drift/types.ts';
import type { MemoryFile } from '../pipeline/memory.ts';
import { fingerprintCatalog } from '../targets/fingerprint.ts';
import type { Target } from '../targets/target.ts';
import type { AppContext } from './context.ts';
import { handleSignals } from './lifecycle.ts';
import { driftSources } from './drift.ts';
import { Project } from './project.ts';

/** Connects each target once (no waiting: verify answers now); the unreachable ones come back as reasons. */
async function connectAll(
  targets: Target[],
  signal: AbortSignal,
): Promise<{
  reachable: Target[];
  unreachable: Array<{ target: Target; reason: string }>;
}> {
  const results = await Promise.all(
    targets.map(async (target) => {
      try {
        await target.connect(signal);
        return { target, reason: undefined };
      } catch (error) {
        return { target, reason: messageOf(error) };
      }
    }),
  );
  return {
    reachable: results.filter((r) => r.reason === undefined).map((r) => r.target),
    unreachable: results.flatMap((r) => (r.reason === undefined ? [] : [{ target: r.target, reason: r.reason }])),
  };
}

/**
 * `schemasync verify`: every drift check configuration allows, once, against the live databases.
 * Returns the report; the caller prints it and picks the exit status. A database that cannot be
 * reached makes its checks (and Prisma's, for PostgreSQL) `unchecked`.
 */
export async function verifyOnce(ctx: AppContext, options: { shadow: boolean; rollback: boolean }): Promise<DriftReport> {
  const controller = new AbortController();
  const stopSignals = handleSignals(ctx.logger, () => {
    controller.abort();
    return Promise.resolve();
  });
  let project: Project | undefined;
  try {
    project = await Project.open(ctx);
    const { reachable, unreachable } = await connectAll(project.targets.targets, controller.signal);
    const sources = driftSources(project, reachable);
    if (sources.prisma) {
      const changed = await databaseChangedSincePull(reachable, project.memory);
      if (changed !== undefined) sources.prisma.databaseChanged = changed;
    }
    for (const { target, reason } of unreachable) {
      sources.unchecked.push({
        check: target.name,
        reason: `${reason}${target.name === TYPES_SPEC.name ? ` (the ${TYPES_SPEC.label} and Prisma checks did not run)` : ''}`,
      });
    }
    ctx.logger.info(
      {
        event: 'verify:start',
        targets: reachable.map((t) => t.name),
        shadow: options.shadow,
        rollback: options.rollback,
      },
      'checking for drift',
    );
    const run = await runDriftChecks(
      sources,
      {
        migrations: true,
        prisma: true,
        sqlc: true,
        clickhouseTypes: true,
        shadow: options.shadow,
        rollback: options.rollback,
      },
      controller.signal,
    );
    return { findings: run.findings, unchecked: options.rollback ? rollbackRequired(run.unchecked) : run.unchecked, checked: run.ran };
  } finally {
    await project?.close();
    await stopSignals();
  }
}

/** Has the types target's catalog changed since schema.prisma was last pulled? Undefined when schemasync never pulled it or cannot tell. */
async function databaseChangedSincePull(reachable: Target[], memory: MemoryFile): Promise<boolean | undefined> {
  const pulledFrom = memory.get().prismaPulledFrom;
  const typesTarget = reachable.find((target) => target.name === TYPES_SPEC.name);
  if (!pulledFrom || !typesTarget) return undefined;
  try {
    return fingerprintCatalog(await typesTarget.introspect()) !== pulledFrom;
  } catch {
    return undefined;
  }
}

/**
 * A shadow database that may not be created is a skip when verify chose the comparison itself,
 * but `--rollback` asked for a check that then could not run: that is "could not check" (exit 2).
 */
export function rollbackRequired(unchecked: Unchecked[]): Unchecked[] {
  return unchecked.map((item) =>
    item.skipped && item.check.startsWith('rollback:')
      ? { check: item.check, reason: `${item.reason} (--rollback asked for the rollback check, which could not run)` }
      : item,
  );
}

// The CLI prints the report through app/ (cli/ does not import drift/ directly).
export { driftExitCode, driftJson, formatDriftReport } from '../drift/report.ts';
