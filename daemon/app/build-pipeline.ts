import { existsSync, readFileSync } from 'node:fs';

import { gitOrphanLocator } from '../drift/orphans.ts';
import type { ProjectLayout } from '../pipeline/changes.ts';
import { MemoryFile } from '../pipeline/memory.ts';
import { Pipeline, type Step } from '../pipeline/pipeline.ts';
import { applyStep } from '../pipeline/steps/apply.ts';
import { clickhouseTypesStep } from '../pipeline/steps/clickhouse-types.ts';
import type { RunState, StepDeps } from '../pipeline/steps/context.ts';
import { driftStep } from '../pipeline/steps/drift.ts';
import { orphanStep } from '../pipeline/steps/orphans.ts';
import { prismaStep } from '../pipeline/steps/prisma.ts';
import { sqlcStep } from '../pipeline/steps/sqlc.ts';
import { validateStep } from '../pipeline/steps/validate.ts';
import { sqlcPaths } from '../tools/project-files.ts';
import { PrismaWorker } from '../tools/prisma-worker/client.ts';
import type { BranchFollower } from './branch.ts';
import type { DaemonContext } from './daemon.ts';
import { logFailure } from './failure.ts';
import { TYPES_TARGET, type OpenedTargets } from './targets.ts';
import { locateProjectTools } from './tools.ts';
import { driftSetup } from './drift.ts';

/** Which steps a run may use: everything (watch, sync), or the type generators alone (dev:types). */
export type StepSelection = 'all' | 'types';

/**
 * The daemon's pipeline from the opened targets and the tools found: validate, orphans and apply
 * per target, the type generators (Prisma, sqlc) after the types target's apply, drift last.
 */
export async function buildPipeline(
  ctx: DaemonContext,
  opened: OpenedTargets,
  selection: StepSelection,
  options: { daemon?: boolean; follower?: BranchFollower | undefined } = {},
) {
  const { follower } = options;
  const { config, env, logger } = ctx;
  // Only watch mode in a git repository follows a branch (`sync` has no switch to follow).
  const followBranch = follower !== undefined && config.watch.followBranch;
  const memory = await MemoryFile.open(config.projectRoot);
  const typesTarget = opened.targets.find((t) => t.name === TYPES_TARGET);
  const deps: StepDeps = {
    projectRoot: config.projectRoot,
    env,
    logger,
    targets: opened.targets,
    dirs: opened.dirs,
    typesTarget: typesTarget?.name,
    // Following a branch means applying its migrations that are older than the other branch's (goose's allow-missing).
    allowMissing: config.allowMissing || followBranch,
    lockTimeoutMs: config.lockTimeoutMs,
    memory,
    redo: config.watch.redo,
    orphans: gitOrphanLocator(config.projectRoot, follower ? Promise.resolve(follower.repo) : undefined),
    followBranch,
  };
  // The ClickHouse row types follow the ClickHouse catalog, as Prisma and sqlc follow PostgreSQL's.
  const clickhouse = opened.targets.find((t) => t.name === 'clickhouse');
  const clickhouseTypes = clickhouse
    ? [clickhouseTypesStep(deps, { target: clickhouse, tsDir: config.clickhouseTypes.dir, go: config.clickhouseTypes.go })]
    : [];
  if (clickhouse) deps.fingerprinted = ['clickhouse'];
  const layout: ProjectLayout = {
    projectRoot: config.projectRoot,
    migrationDirs: Object.fromEntries(opened.dirs),
    sqlcConfig: config.sqlc.configFile,
    sqlcQueries: existsSync(config.sqlc.configFile) ? sqlcPaths(readFileSync(config.sqlc.configFile, 'utf8'), config.sqlc.configFile).queries : [],
    prismaSchema: config.prisma.schema,
  };

  // The daemon looks for sqlc even without a sqlc config yet: one added later is used at once.
  const found = await locateProjectTools(config, env, { sqlcWithoutConfig: options.daemon === true });
  const sqlcContext = found.sqlcBinary ? { binary: found.sqlcBinary, configFile: config.sqlc.configFile } : undefined;
  const tools: Array<Step<RunState>> = [];
  let prismaWorker: PrismaWorker | undefined;
  if (typesTarget && opened.postgresUrl && found.prismaCli) {
    const context = { cli: found.prismaCli, schema: config.prisma.schema, configFile: config.prisma.configFile, databaseUrl: opened.postgresUrl };
    // A long-lived process pays off in watch mode only; one-shot commands run the CLI.
    if (options.daemon) prismaWorker = PrismaWorker.create({ ...context, projectRoot: config.projectRoot, logger });
    tools.push(prismaStep(deps, { context, timeoutMs: config.prisma.timeoutMs, worker: prismaWorker }));
  }
  if (typesTarget && sqlcContext) {
    const step = sqlcStep(deps, { context: sqlcContext, timeoutMs: config.sqlc.timeoutMs });
    tools.push({ ...step, skipReason: (changes, state) => (existsSync(sqlcContext.configFile) ? step.skipReason(changes, state) : 'no sqlc config') });
  }
  // The daemon's start-up summary says which tools are off and why; one-shot runs say it here.
  if (typesTarget && !options.daemon) {
    for (const { tool, reason } of found.missing) logger.warn({ event: 'tool:missing', tool }, `${tool} step off: ${reason}`);
  }

  const applies = opened.targets.map((target) => applyStep(deps, target));
  const applyTypes = applies.filter((step) => step.name === `apply:${TYPES_TARGET}`);
  const applyOthers = applies.filter((step) => step.name !== `apply:${TYPES_TARGET}`);
  // The types target first (Prisma and sqlc follow it); the others beside the type generators.
  // Drift last: it reads what apply, Prisma and sqlc left behind.
  const drift = selection === 'types' ? undefined : await driftSetup(ctx, opened, opened.targets, memory);
  const stages: Array<Array<Step<RunState>>> =
    selection === 'types' || !drift
      ? [tools, clickhouseTypes]
      : [
          opened.targets.map((target) => validateStep(deps, target)),
          opened.targets.map((target) => orphanStep(deps, target)),
          applyTypes,
          [...applyOthers, ...tools],
          clickhouseTypes,
          [driftStep(deps, drift)],
        ];
  return {
    pipeline: new Pipeline(
      stages.filter((stage) => stage.length > 0),
      {
        logger,
        projectRoot: config.projectRoot,
        // Each failure is logged when its step ends, with that time; a cancellation waits for the run's end (said once there).
        onFailure: (step, error, runLogger) => {
          if (error.code !== 'CANCELLED') logFailure(runLogger.child({ step }), error);
        },
      },
    ),
    layout,
    memory,
    drift,
    found,
    sqlcContext,
    prismaWorker,
  };
}
