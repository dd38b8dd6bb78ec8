import { ROW_TYPES_SPEC } from '../config/targets.ts';
import { Pipeline, type Step } from '../pipeline/pipeline.ts';
import { SchemaLog } from '../pipeline/schema-log.ts';
import { applyStep } from '../pipeline/steps/apply.ts';
import { clickhouseTypesStep } from '../pipeline/steps/clickhouse-types.ts';
import type { RunState, StepDeps } from '../pipeline/steps/context.ts';
import { driftStep, type DriftStepSetup } from '../pipeline/steps/drift.ts';
import { orphanStep } from '../pipeline/steps/orphans.ts';
import { prismaStep } from '../pipeline/steps/prisma.ts';
import { sqlcStep } from '../pipeline/steps/sqlc.ts';
import { validateStep } from '../pipeline/steps/validate.ts';
import { PrismaWorker } from '../tools/prisma-worker/client.ts';
import { driftSetup } from './drift.ts';
import { logFailure } from './failure.ts';
import type { Project } from './project.ts';

/** Which steps a run may use: everything (watch, sync), or the type generators alone (dev:types). */
export type StepSelection = 'all' | 'types';

export interface BuiltPipeline {
  pipeline: Pipeline<RunState>;
  /** The drift step's set-up (the shadow comparison shares its tracker); none for `types`. */
  drift: DriftStepSetup | undefined;
  /** The warm Prisma child (watch mode only). */
  prismaWorker: PrismaWorker | undefined;
}

/**
 * The pipeline of a project: validate, orphans and apply per target, the type generators (Prisma,
 * sqlc) after the types target's apply, drift last. `daemon`: watch mode (a warm Prisma worker;
 * the start-up summary, not this, says which tools are off). `followBranch`: watch mode in a git
 * repository with --follow-branch.
 */
export function buildPipeline(project: Project, selection: StepSelection, options: { daemon?: boolean; followBranch?: boolean } = {}): BuiltPipeline {
  const { config, env, logger } = project.ctx;
  const followBranch = options.followBranch === true;
  const { targets, types } = project.targets;
  const deps: StepDeps = {
    projectRoot: config.projectRoot,
    env,
    logger,
    targets,
    dirs: project.targets.dirs,
    typesTarget: types?.target.name,
    // Following a branch means applying its migrations that are older than the other branch's (goose's allow-missing).
    allowMissing: config.allowMissing || followBranch,
    lockTimeoutMs: config.lockTimeoutMs,
    memory: project.memory,
    schemaLogs: new Map(targets.map((target) => [target.name, new SchemaLog(target, logger.child({ target: target.name }))])),
    redo: config.watch.redo,
    orphans: project.orphans,
    followBranch,
  };

  // The row types follow their target's catalog (ClickHouse's), as Prisma and sqlc follow the types target's.
  const rowTarget = targets.find((target) => target.name === ROW_TYPES_SPEC.name);
  const rowTypes = rowTarget ? [clickhouseTypesStep(deps, { target: rowTarget, tsDir: config.clickhouseTypes.dir, go: config.clickhouseTypes.go })] : [];
  if (rowTarget) deps.fingerprinted = [rowTarget.name];

  const tools: Array<Step<RunState>> = [];
  let prismaWorker: PrismaWorker | undefined;
  const prisma = project.prisma;
  if (prisma) {
    // A long-lived process pays off in watch mode only; one-shot commands run the CLI.
    if (options.daemon) prismaWorker = PrismaWorker.create({ ...prisma, projectRoot: config.projectRoot, logger });
    const worker = prismaWorker;
    // Its pull's slowest introspection queries start while apply reads the catalog.
    if (worker) deps.typesCommitted = () => worker.prefetch();
    tools.push(prismaStep(deps, { context: prisma, timeoutMs: config.prisma.timeoutMs, worker: prismaWorker }));
  }
  if (types && project.sqlcContext) {
    // The config in use is read at each run: one added or renamed while watching is followed.
    tools.push(sqlcStep(deps, { context: () => project.sqlcReady, timeoutMs: config.sqlc.timeoutMs }));
  }
  // The daemon's start-up summary says which tools are off and why; one-shot runs say it here.
  if (types && !options.daemon) {
    for (const { tool, reason } of project.tools.missing) logger.warn({ event: 'tool:missing', tool }, `${tool} step off: ${reason}`);
  }

  const applies = targets.map((target) => applyStep(deps, target));
  const applyTypes = applies.filter((step) => step.name === `apply:${deps.typesTarget}`);
  const applyOthers = applies.filter((step) => step.name !== `apply:${deps.typesTarget}`);
  // The types target first (Prisma and sqlc follow it); the others beside the type generators.
  // Drift last: it reads what apply, Prisma and sqlc left behind.
  const drift = selection === 'types' ? undefined : driftSetup(project);
  const stages: Array<Array<Step<RunState>>> = !drift
    ? [tools, rowTypes]
    : [
        targets.map((target) => validateStep(deps, target)),
        targets.map((target) => orphanStep(deps, target)),
        applyTypes,
        [...applyOthers, ...tools],
        rowTypes,
        [driftStep(deps, drift)],
      ];
  const pipeline = new Pipeline(
    stages.filter((stage) => stage.length > 0),
    {
      logger,
      projectRoot: config.projectRoot,
      // Each failure is logged when its step ends, with that time; a cancellation waits for the run's end (said once there).
      onFailure: (step, error, runLogger) => {
        if (error.code !== 'CANCELLED') logFailure(runLogger.child({ step }), error);
      },
    },
  );
  return { pipeline, drift, prismaWorker };
}
