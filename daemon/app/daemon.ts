import { existsSync } from 'node:fs';
import path from 'node:path';

import type { LoadedConfig } from '../config/load.ts';
import { messageOf } from '../errors.ts';
import type { Logger } from '../log/types.ts';
import { checksum } from '../migrations/checksum.ts';
import { currentVersion } from '../migrations/plan.ts';
import { classifyPaths, FULL_RUN, isEmpty, mergeChanges, type Changes, type ProjectLayout } from '../pipeline/changes.ts';
import type { MemoryFile } from '../pipeline/memory.ts';
import type { RunReport } from '../pipeline/report.ts';
import { createScheduler } from '../pipeline/scheduler.ts';
import { newRunState } from '../pipeline/steps/context.ts';
import { startHealthServer, type DaemonState } from '../server.ts';
import { isPrismaSchemaPath, readSchemaText } from '../tools/prisma-schema.ts';
import { checkWarmSupport } from '../tools/prisma-worker/support.ts';
import { createWatcher } from '../watch/watcher.ts';
import { sleep } from '../util/sleep.ts';
import { isHeadFile, startBranchFollower } from './branch.ts';
import { buildPipeline, type StepSelection } from './build-pipeline.ts';
import { handleDaemonSignals, handleSignals } from './lifecycle.ts';
import { watchNextApp } from './next-app.ts';
import { logRunEnd } from './run-end.ts';
import { startShadowDrift } from './shadow-watch.ts';
import { sqlcLayout } from './sqlc-layout.ts';
import { formatSummary, sqlcVersion, startupSummary } from './summary.ts';
import { openTargets, TYPES_TARGET } from './targets.ts';
import { backoffMs, waitForTargets } from './wait.ts';

export interface DaemonContext extends LoadedConfig {
  logger: Logger;
}

/**
 * `schemasync sync`: one full run, then exit. Returns the exit status: 0 when every step
 * succeeded, 1 otherwise.
 */
export async function syncOnce(ctx: DaemonContext, selection: StepSelection = 'all'): Promise<number> {
  const controller = new AbortController();
  const stopSignals = handleSignals(ctx.logger, () => Promise.resolve(controller.abort()));
  const opened = await openTargets(ctx.config, ctx.logger, selection === 'types' ? [TYPES_TARGET] : ctx.config.targets);
  try {
    const { pipeline } = await buildPipeline(ctx, opened, selection);
    await waitForTargets(opened.targets, ctx.logger, controller.signal);
    // dev:types asks for the generators explicitly: they run even when their inputs look unchanged.
    const report = await pipeline.run(FULL_RUN, { ...newRunState(), force: selection === 'types' }, controller.signal);
    logRunEnd(ctx.logger, report);
    return report.ok ? 0 : 1;
  } finally {
    await opened.close();
    await stopSignals();
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
  // A Next.js app beside the daemon: can its running `next dev` pick up a regenerated client?
  const nextApp = found.prismaCli ? watchNextApp(config.projectRoot) : undefined;
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
      const changes = await withoutOwnWrites(triggered, layout, memory);
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
      logRunEnd(logger, nextApp ? nextApp.annotate(report) : report);
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
    prismaPath: found.prismaCli ? checkWarmSupport(config.projectRoot, found.prismaCli) : undefined,
    nextApp: nextApp?.row,
    gitHead: follower?.head,
  });
  logger.info({ event: 'startup:summary', rows: summary }, formatSummary(`schemasync in ${config.projectRoot}`, summary));

  const watcher = await createWatcher({
    paths: watchedPaths(),
    // goose reads only the files directly in a migration folder.
    flat: [...opened.dirs.values()],
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
  const stopSignals = handleDaemonSignals(logger, async () => {
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
    if (!lifetime.signal.aborted) logger.error({ event: 'startup:error', err: error }, messageOf(error));
  }
  const code = await exited;
  await stopSignals();
  return code;
}

/**
 * schemasync's own writes (db pull rewriting schema.prisma, or files of a schema folder) come back
 * as file events: a schema whose text is the one the client was last generated from is not a change.
 */
async function withoutOwnWrites(changes: Changes, layout: ProjectLayout, memory: MemoryFile): Promise<Changes> {
  const schema = layout.prismaSchema;
  if (!changes.prismaSchema || changes.full || !existsSync(schema)) return changes;
  const text = await readSchemaText(schema, layout.projectRoot).catch(() => undefined);
  if (text === undefined || checksum(text) !== memory.get().prismaGeneratedFrom) return changes;
  return { ...changes, prismaSchema: false, paths: changes.paths.filter((p) => !isPrismaSchemaPath(schema, p)) };
}
