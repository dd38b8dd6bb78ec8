import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { LoadedConfig } from '../config/load.ts';
import { messageOf } from '../errors.ts';
import type { Logger } from '../log/types.ts';
import { checksum } from '../migrations/checksum.ts';
import { currentVersion } from '../migrations/plan.ts';
import { classifyPaths, FULL_RUN, isEmpty, mergeChanges, type Changes, type ProjectLayout } from '../pipeline/changes.ts';
import { MemoryFile } from '../pipeline/memory.ts';
import { Pipeline, type Step } from '../pipeline/pipeline.ts';
import { formatDuration, runEndEvent, summarizeRun, type RunReport } from '../pipeline/report.ts';
import { createScheduler } from '../pipeline/scheduler.ts';
import { gitOrphanLocator } from '../drift/orphans.ts';
import { applyStep } from '../pipeline/steps/apply.ts';
import { orphanStep } from '../pipeline/steps/orphans.ts';
import { newRunState, type RunState, type StepDeps } from '../pipeline/steps/context.ts';
import { driftStep } from '../pipeline/steps/drift.ts';
import { prismaStep } from '../pipeline/steps/prisma.ts';
import { sqlcStep } from '../pipeline/steps/sqlc.ts';
import { validateStep } from '../pipeline/steps/validate.ts';
import { startHealthServer, type DaemonState } from '../server.ts';
import { sqlcPaths } from '../tools/project-files.ts';
import { PrismaWorker } from '../tools/prisma-worker/client.ts';
import { createWatcher } from '../watch/watcher.ts';
import { sleep } from '../util/sleep.ts';
import { isHeadFile, startBranchFollower, type BranchFollower } from './branch.ts';
import { logFailure } from './failure.ts';
import { handleSignals } from './lifecycle.ts';
import { driftSetup } from './drift.ts';
import { startShadowDrift } from './shadow-watch.ts';
import { openTargets, type OpenedTargets } from './targets.ts';
import { sqlcLayout } from './sqlc-layout.ts';
import { formatSummary, sqlcVersion, startupSummary } from './summary.ts';
import { locateProjectTools } from './tools.ts';
import { backoffMs, waitForTargets } from './wait.ts';

export interface DaemonContext extends LoadedConfig {
  logger: Logger;
}

/** Which steps a run may use: everything (watch, sync), or the type generators alone (dev:types). */
export type StepSelection = 'all' | 'types';

/**
 * `schemasync sync`: one full run, then exit. Returns the exit status: 0 when every step
 * succeeded, 1 otherwise.
 */
export async function syncOnce(ctx: DaemonContext, selection: StepSelection = 'all'): Promise<number> {
  const controller = new AbortController();
  const stopSignals = handleSignals(ctx.logger, () => Promise.resolve(controller.abort()));
  const opened = await openTargets(ctx.config, ctx.logger, selection === 'types' ? ['postgres'] : ctx.config.targets);
  try {
    const { pipeline } = await buildPipeline(ctx, opened, selection);
    await waitForTargets(opened.targets, ctx.logger, controller.signal);
    // dev:types asks for the generators explicitly: they run even when their inputs look unchanged.
    const report = await pipeline.run(FULL_RUN, { ...newRunState(), force: selection === 'types' }, controller.signal);
    logRunEnd(ctx.logger, report);
    return report.ok ? 0 : 1;
  } finally {
    stopSignals();
    await opened.close();
  }
}

/**
 * `schemasync watch`: the daemon. Waits for the databases, runs one full sync, then one run per
 * burst of changes, until SIGINT / SIGTERM. Resolves with the exit status after a clean shutdown.
 */
export async function watch(ctx: DaemonContext): Promise<number> {
  const { config, logger } = ctx;
  const opened = await openTargets(config, logger);
  const follower = await startBranchFollower({
    projectRoot: config.projectRoot,
    logger,
    debounceMs: config.watch.debounceMs,
    followBranch: config.watch.followBranch,
  });
  const { pipeline, layout, memory, drift, found, sqlcContext, prismaWorker } = await buildPipeline(ctx, opened, 'all', { daemon: true, follower });
  // Warmed while the databases are awaited; the first run finds it ready.
  void prismaWorker?.start();
  // The sqlc config and its query paths are re-read when it changes, or when one appears.
  const sqlc = sqlcLayout(ctx, logger);
  layout.sqlcConfig = sqlc.configFile;
  layout.sqlcQueries = sqlc.queries;
  const watchedPaths = () => [...opened.dirs.values(), ...sqlc.watched(), layout.prismaSchema, ...(follower ? [follower.headFile] : [])];
  const lifetime = new AbortController();
  let state: DaemonState = 'starting';
  let lastRun: RunReport | undefined;
  const versions = new Map<string, number>();
  // After a failed run the next one checks everything, so nothing the failure skipped is forgotten.
  let nextRunFull = false;

  const scheduler = createScheduler<Changes>({
    merge: mergeChanges,
    logger,
    run: async (triggered, signal) => {
      // Checked when the run starts, not when the event arrived: schemasync's own write of
      // schema.prisma lands while the run that made it is still generating.
      const changes = withoutOwnWrites(triggered, layout.prismaSchema, memory);
      // Nothing but our own writes: no run, even after a failed one (it would only repeat the
      // failure). A real change after a failure still checks everything.
      if (isEmpty(changes)) return;
      state = 'running';
      const runState = newRunState();
      // After a git switch the run says so first (branch.ts), and the orphans step knows where HEAD was.
      const moved = await follower?.observe(true);
      if (moved) runState.branch = moved;
      const report = await pipeline.run(nextRunFull ? mergeChanges(changes, FULL_RUN) : changes, runState, signal);
      lastRun = report;
      state = report.ok ? 'idle' : 'failed';
      nextRunFull = !report.ok;
      if (!signal.aborted && config.port !== undefined) await refreshVersions();
      logRunEnd(logger, report);
      // Only an outage is retried on its own (with growing backoff); any other failure (a refused
      // query, a bad file) would fail the same way again, so it waits for the next change.
      const outage = !report.ok && !signal.aborted && report.steps.some((s) => s.error?.code === 'CONNECTION');
      outages = outage ? outages + 1 : 0;
      if (outage) void retryWhenReachable(outages - 1);
      shadowDrift?.afterRun();
    },
  });
  // The shadow comparison: after quiet periods with --shadow, and on SIGUSR2 in any case.
  const shadowDrift = drift
    ? startShadowDrift({
        auto: config.watch.shadow,
        sources: drift.sources,
        tracker: drift.tracker,
        busy: () => scheduler.running || scheduler.pending,
        logger,
      })
    : undefined;

  // For /status: each target's goose version after every run (a target that is down keeps its last one).
  async function refreshVersions() {
    await Promise.all(
      opened.targets.map(async (target) => {
        try {
          versions.set(target.name, currentVersion(await target.listVersions()));
        } catch {
          // Unreachable: the run's own report already says so.
        }
      }),
    );
  }

  // A database went away: wait for it with backoff (logging once), then sync everything. The
  // first wait grows with each consecutive failed retry, so a lasting failure is never re-run fast.
  let retrying = false;
  let outages = 0;
  async function retryWhenReachable(attempt: number) {
    if (retrying) return;
    retrying = true;
    try {
      await sleep(backoffMs(attempt), lifetime.signal);
      await waitForTargets(opened.targets, logger, lifetime.signal);
      scheduler.trigger(FULL_RUN);
    } catch {
      // Shutting down.
    } finally {
      retrying = false;
    }
  }

  const server =
    config.port === undefined
      ? undefined
      : await startHealthServer({
          port: config.port,
          host: config.host,
          logger,
          getStatus: () => ({ state, lastRun, targets: opened.targets.map((t) => ({ name: t.name, where: t.where, currentVersion: versions.get(t.name) })) }),
        });
  // The summary below gives the address to people; this event gives the port to scripts and tests.
  if (server) logger.debug({ event: 'server:listening', port: server.port }, `health server on port ${server.port}`);
  const summary = startupSummary({
    loaded: ctx,
    postgresUrl: opened.postgresUrl,
    tools: found,
    sqlcVersion: await sqlcVersion(found.sqlcBinary, config.projectRoot),
    health: server ? `http://${config.host}:${server.port}/healthz` : undefined,
  });
  logger.info({ event: 'startup:summary', rows: summary }, formatSummary(`schemasync in ${config.projectRoot}`, summary));

  const watcher = await createWatcher({
    paths: watchedPaths(),
    debounceMs: config.watch.debounceMs,
    poll: config.watch.poll,
    logger,
    onTrigger: (trigger) => {
      if (sqlc.refresh(trigger.paths)) {
        layout.sqlcConfig = sqlc.configFile;
        layout.sqlcQueries = sqlc.queries;
        if (sqlcContext) sqlcContext.configFile = sqlc.configFile;
        watcher.setPaths(watchedPaths());
      }
      const handOn = (paths: string[]) => {
        const changes = classifyPaths(paths, layout);
        if (!isEmpty(changes)) scheduler.trigger(changes);
        // HEAD moved and no watched file changed: say so, no run needed.
        else if (paths.some((changed) => isHeadFile(follower, changed))) void follower?.observe(false);
      };
      // While git rewrites the working tree its file events are held, so one checkout is one run.
      if (follower) follower.gate(trigger.paths, handOn);
      else handOn(trigger.paths);
    },
  });
  logger.info(
    {
      event: 'watch:start',
      dirs: [...opened.dirs.values()].map((d) => path.relative(config.projectRoot, d)),
      poll: config.watch.poll,
      debounceMs: config.watch.debounceMs,
    },
    `watching ${[...opened.dirs.values()].map((d) => path.relative(config.projectRoot, d)).join(', ')}${config.watch.poll ? ' (polling)' : ''}`,
  );

  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  const stopSignals = handleSignals(logger, async () => {
    lifetime.abort();
    follower?.close();
    await watcher.close();
    // Cancelling aborts the run in flight: the migration in progress rolls back, tools are killed.
    await scheduler.close({ cancel: true });
    await shadowDrift?.stop();
    await prismaWorker?.close();
    await server?.close();
    await opened.close();
    logger.info({ event: 'shutdown:end' }, 'stopped');
    resolveExit(0);
  });

  try {
    await waitForTargets(opened.targets, logger, lifetime.signal);
    scheduler.trigger(FULL_RUN);
  } catch (error) {
    if (!lifetime.signal.aborted) logger.error({ event: 'startup:error' }, messageOf(error));
  }
  const code = await exited;
  stopSignals();
  return code;
}

async function buildPipeline(
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
  const deps: StepDeps = {
    projectRoot: config.projectRoot,
    env,
    logger,
    targets: opened.targets,
    dirs: opened.dirs,
    // Following a branch means applying its migrations that are older than the other branch's (goose's allow-missing).
    allowMissing: config.allowMissing || followBranch,
    lockTimeoutMs: config.lockTimeoutMs,
    memory,
    redo: config.watch.redo,
    orphans: gitOrphanLocator(config.projectRoot, follower ? Promise.resolve(follower.repo) : undefined),
    followBranch,
  };
  const layout: ProjectLayout = {
    projectRoot: config.projectRoot,
    migrationDirs: Object.fromEntries(opened.dirs),
    sqlcConfig: config.sqlc.configFile,
    sqlcQueries: existsSync(config.sqlc.configFile) ? sqlcPaths(readFileSync(config.sqlc.configFile, 'utf8'), config.sqlc.configFile).queries : [],
    prismaSchema: config.prisma.schema,
  };

  const postgres = opened.targets.find((t) => t.name === 'postgres');
  // The daemon looks for sqlc even without a sqlc config yet: one added later is used at once.
  const found = await locateProjectTools(config, env, { sqlcWithoutConfig: options.daemon === true });
  const sqlcContext = found.sqlcBinary ? { binary: found.sqlcBinary, configFile: config.sqlc.configFile } : undefined;
  const tools: Array<Step<RunState>> = [];
  let prismaWorker: PrismaWorker | undefined;
  if (postgres && opened.postgresUrl && found.prismaCli) {
    const context = { cli: found.prismaCli, schema: config.prisma.schema, configFile: config.prisma.configFile, databaseUrl: opened.postgresUrl };
    // A long-lived process pays off in watch mode only; one-shot commands run the CLI.
    if (options.daemon) prismaWorker = PrismaWorker.create({ ...context, projectRoot: config.projectRoot, logger });
    tools.push(prismaStep(deps, { context, timeoutMs: config.prisma.timeoutMs, worker: prismaWorker }));
  }
  if (postgres && sqlcContext) {
    const step = sqlcStep(deps, { context: sqlcContext, timeoutMs: config.sqlc.timeoutMs });
    tools.push({ ...step, skipReason: (changes, state) => (existsSync(sqlcContext.configFile) ? step.skipReason(changes, state) : 'no sqlc config') });
  }
  // The daemon's start-up summary says which tools are off and why; one-shot runs say it here.
  if (postgres && !options.daemon) {
    for (const { tool, reason } of found.missing) logger.warn({ event: 'tool:missing', tool }, `${tool} step off: ${reason}`);
  }

  const applies = opened.targets.map((target) => applyStep(deps, target));
  const applyPostgres = applies.filter((step) => step.name === 'apply:postgres');
  const applyOthers = applies.filter((step) => step.name !== 'apply:postgres');
  // PostgreSQL first (Prisma and sqlc follow it); ClickHouse beside the type generators.
  // Drift last: it reads what apply, Prisma and sqlc left behind.
  const drift = selection === 'types' ? undefined : await driftSetup(ctx, opened, opened.targets, memory);
  const stages: Array<Array<Step<RunState>>> =
    selection === 'types' || !drift
      ? [tools]
      : [
          opened.targets.map((target) => validateStep(deps, target)),
          opened.targets.map((target) => orphanStep(deps, target)),
          applyPostgres,
          [...applyOthers, ...tools],
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

/**
 * schemasync's own writes (db pull rewriting schema.prisma) come back as file events: a
 * schema.prisma whose text is the one the client was last generated from is not a change.
 */
function withoutOwnWrites(changes: Changes, schema: string, memory: MemoryFile): Changes {
  if (!changes.prismaSchema || changes.full) return changes;
  if (!existsSync(schema) || checksum(readFileSync(schema, 'utf8')) !== memory.get().prismaGeneratedFrom) return changes;
  return { ...changes, prismaSchema: false, paths: changes.paths.filter((p) => p !== schema) };
}

function logRunEnd(logger: Logger, report: RunReport): void {
  const failed = report.steps.filter((step) => step.status === 'failed');
  if (failed.length > 0 && failed.every((step) => step.error?.code === 'CANCELLED')) {
    // Stopped by a shutdown: one info line of what was cancelled and rolled back, no "failed".
    logger.info({ ...runEndEvent(report), run: report.id }, `stopped: ${failed.map((step) => step.error!.message).join('; ')}`);
    return;
  }
  // Other failures were logged as their steps ended (pipeline onFailure).
  for (const step of report.steps) {
    if (step.error?.code === 'CANCELLED') logFailure(logger.child({ run: report.id, step: step.name }), step.error);
  }
  if (report.ok) {
    logger.info({ ...runEndEvent(report), run: report.id }, summarizeRun(report));
    return;
  }
  // Each failure was just logged in full (file, line, code frame): the summary only names the steps.
  logger.error(
    { ...runEndEvent(report), run: report.id },
    `✖ failed in ${formatDuration(report.durationMs)} · ${failed.map((step) => step.name).join(', ')} failed (see above)`,
  );
}
