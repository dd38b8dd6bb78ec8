import { existsSync } from 'node:fs';
import path from 'node:path';

import { messageOf } from '../errors.ts';
import { checksum } from '../migrations/checksum.ts';
import { currentVersion } from '../migrations/plan.ts';
import { classifyPaths, FULL_RUN, isEmpty, mergeChanges, type Changes, type ProjectLayout } from '../pipeline/changes.ts';
import type { MemoryFile } from '../pipeline/memory.ts';
import type { RunReport } from '../pipeline/report.ts';
import { createScheduler, type Scheduler } from '../pipeline/scheduler.ts';
import { newRunState, type RunState } from '../pipeline/steps/context.ts';
import { startHealthServer, type DaemonState, type HealthServer } from '../server.ts';
import { isPrismaSchemaPath, readSchemaText } from '../tools/prisma-schema.ts';
import { checkWarmSupport } from '../tools/prisma-worker/support.ts';
import { sleep } from '../util/sleep.ts';
import { createWatcher, type Trigger, type Watcher } from '../watch/watcher.ts';
import { isHeadFile, startBranchFollower, type BranchFollower } from './branch.ts';
import { buildPipeline, type BuiltPipeline } from './build-pipeline.ts';
import type { AppContext } from './context.ts';
import { handleDaemonSignals } from './lifecycle.ts';
import { watchNextApp, type NextAppWatch } from './next-app.ts';
import { Project } from './project.ts';
import { logRunEnd } from './run-end.ts';
import { startShadowDrift } from './shadow-watch.ts';
import { formatSummary, sqlcVersion, startupSummary } from './summary.ts';
import { backoffMs, waitForTargets } from './wait.ts';

/**
 * `schemasync watch`: the daemon. Waits for the databases, runs one full sync, then one run per
 * burst of changes, until SIGINT / SIGTERM. Resolves with the exit status after a clean shutdown.
 */
export async function watch(ctx: AppContext): Promise<number> {
  const daemon = await Daemon.start(ctx);
  const code = await daemon.exited;
  await daemon.stopListening();
  return code;
}

/**
 * The daemon's state and its few moves: a trigger from the watcher, a run and its end (what
 * /status shows, whether the next run checks everything, whether an outage is retried), and the
 * shutdown. The project model and the pipeline are built before it, the watcher and the servers
 * by `start`.
 */
class Daemon {
  private state: DaemonState = 'starting';
  private lastRun: RunReport | undefined;
  /** For /status: each target's goose version after the last run that read it (a target that is down keeps its last one). */
  private readonly versions = new Map<string, number>();
  /** After a failed run the next one checks everything, so nothing the failure skipped is forgotten. */
  private nextRunFull = false;
  /** Consecutive runs that failed for an unreachable database: the wait before the next retry grows with them. */
  private outages = 0;
  private retrying = false;
  private readonly lifetime = new AbortController();
  private readonly scheduler: Scheduler<Changes>;
  private readonly shadowDrift: ReturnType<typeof startShadowDrift> | undefined;
  private server: HealthServer | undefined;
  /** A Next.js app beside the daemon: can its running `next dev` pick up a regenerated client? */
  private readonly nextApp: NextAppWatch | undefined;
  private watcher: Watcher | undefined;
  private resolveExit!: (code: number) => void;
  /** Stops listening for signals; after one, waits out lifecycle.ts's linger. */
  stopListening: () => Promise<void> = () => Promise.resolve();
  /** The exit status, once the daemon has shut down. */
  readonly exited = new Promise<number>((resolve) => (this.resolveExit = resolve));

  private constructor(
    private readonly ctx: AppContext,
    private readonly project: Project,
    private readonly follower: BranchFollower | undefined,
    private readonly built: BuiltPipeline,
  ) {
    this.nextApp = project.tools.prismaCli ? watchNextApp(ctx.config.projectRoot) : undefined;
    this.scheduler = createScheduler<Changes>({ merge: mergeChanges, logger: ctx.logger, run: (changes, signal) => this.run(changes, signal) });
    const { drift } = built;
    // The shadow comparison: after quiet periods with --shadow, and on SIGUSR2 in any case.
    this.shadowDrift = drift
      ? startShadowDrift({
          auto: ctx.config.watch.shadow,
          sources: drift.sources,
          tracker: drift.tracker,
          busy: () => this.scheduler.running || this.scheduler.pending,
          logger: ctx.logger,
        })
      : undefined;
  }

  static async start(ctx: AppContext): Promise<Daemon> {
    const { config, logger } = ctx;
    const follower = await startBranchFollower({
      projectRoot: config.projectRoot,
      logger,
      debounceMs: config.watch.debounceMs,
      followBranch: config.watch.followBranch,
    });
    const project = await Project.open(ctx, { daemon: true, repo: follower?.repo });
    // Only watch mode in a git repository follows a branch.
    const built = buildPipeline(project, 'all', { daemon: true, followBranch: follower !== undefined && config.watch.followBranch });
    // Warmed while the databases are awaited; the first run finds it ready.
    void built.prismaWorker?.start();
    const daemon = new Daemon(ctx, project, follower, built);
    await daemon.serve();
    void daemon.firstRun();
    return daemon;
  }

  /** The health server, the start-up summary, the watcher and the signal handling. */
  private async serve(): Promise<void> {
    const { config, logger } = this.ctx;
    const targets = this.project.targets.targets;
    if (config.port !== undefined) {
      this.server = await startHealthServer({
        port: config.port,
        host: config.host,
        logger,
        getStatus: () => ({
          state: this.state,
          lastRun: this.lastRun,
          targets: targets.map((t) => ({ name: t.name, where: t.where, currentVersion: this.versions.get(t.name) })),
        }),
      });
      // The summary gives the address to people; this event gives the port to scripts and tests.
      logger.debug({ event: 'server:listening', port: this.server.port }, `health server on port ${this.server.port}`);
    }
    const summary = startupSummary({
      loaded: this.ctx,
      urls: Object.fromEntries(this.project.targets.opened.map((o) => [o.target.name, o.url])),
      tools: this.project.tools,
      sqlcVersion: await sqlcVersion(this.project.tools.sqlcBinary, config.projectRoot),
      health: this.server ? `http://${config.host}:${this.server.port}/healthz` : undefined,
      prismaPath: this.project.tools.prismaCli ? checkWarmSupport(config.projectRoot, this.project.tools.prismaCli) : undefined,
      nextApp: this.nextApp?.row,
      gitHead: this.follower?.head,
    });
    logger.info({ event: 'startup:summary', rows: summary }, formatSummary(`schemasync in ${config.projectRoot}`, summary));

    const dirs = [...this.project.targets.dirs.values()];
    this.watcher = await createWatcher({
      paths: this.watchedPaths(),
      // goose reads only the files directly in a migration folder.
      flat: dirs,
      debounceMs: config.watch.debounceMs,
      poll: config.watch.poll,
      logger,
      onTrigger: (trigger) => this.onTrigger(trigger),
    });
    const shown = dirs.map((d) => path.relative(config.projectRoot, d));
    logger.info(
      { event: 'watch:start', dirs: shown, poll: config.watch.poll, debounceMs: config.watch.debounceMs },
      `watching ${shown.join(', ')}${config.watch.poll ? ' (polling)' : ''}`,
    );
    this.stopListening = handleDaemonSignals(logger, () => this.shutdown());
  }

  private watchedPaths(): string[] {
    return [...this.project.watchedPaths(), ...(this.follower ? [this.follower.headFile] : [])];
  }

  /** Waits for the databases, then syncs everything once. */
  private async firstRun(): Promise<void> {
    try {
      await waitForTargets(this.project.targets.targets, this.ctx.logger, this.lifetime.signal);
      this.scheduler.trigger(FULL_RUN);
    } catch (error) {
      if (!this.lifetime.signal.aborted) this.ctx.logger.error({ event: 'startup:error', err: error }, messageOf(error));
    }
  }

  /** Files changed: a config file is followed first (the watched paths may move), then the paths become a run. */
  private onTrigger(trigger: Trigger): void {
    if (this.project.refresh(trigger.paths)) this.watcher?.setPaths(this.watchedPaths());
    const handOn = (paths: string[]) => {
      const changes = classifyPaths(paths, this.project.layout);
      if (!isEmpty(changes)) this.scheduler.trigger(changes);
      // HEAD moved and no watched file changed: say so, no run needed.
      else if (paths.some((changed) => isHeadFile(this.follower, changed))) void this.follower?.observe(false);
    };
    // While git rewrites the working tree its file events are held, so one checkout is one run.
    if (this.follower) this.follower.gate(trigger.paths, handOn);
    else handOn(trigger.paths);
  }

  private async run(triggered: Changes, signal: AbortSignal): Promise<void> {
    // Checked when the run starts, not when the event arrived: schemasync's own write of
    // schema.prisma lands while the run that made it is still generating.
    const changes = await withoutOwnWrites(triggered, this.project.layout, this.project.memory);
    // Nothing but our own writes: no run, even after a failed one (it would only repeat the
    // failure). A real change after a failure still checks everything.
    if (isEmpty(changes)) return;
    this.state = 'running';
    const runState = newRunState();
    // After a git switch the run says so first (branch.ts), and the orphans step knows where HEAD was.
    const moved = await this.follower?.observe(true);
    if (moved) runState.branch = moved;
    const report = await this.built.pipeline.run(this.nextRunFull ? mergeChanges(changes, FULL_RUN) : changes, runState, signal);
    this.runEnded(report, runState, signal);
  }

  private runEnded(report: RunReport, runState: RunState, signal: AbortSignal): void {
    this.lastRun = report;
    this.state = report.ok ? 'idle' : 'failed';
    this.nextRunFull = !report.ok;
    // The run read each target's version rows it applied to: no second query.
    for (const [name, rows] of Object.entries(runState.versions)) if (rows) this.versions.set(name, currentVersion(rows));
    logRunEnd(this.ctx.logger, this.nextApp ? this.nextApp.annotate(report) : report);
    // Only an outage is retried on its own (with growing backoff); any other failure (a refused
    // query, a bad file) would fail the same way again, so it waits for the next change.
    const outage = !report.ok && !signal.aborted && report.steps.some((s) => s.error?.code === 'CONNECTION');
    this.outages = outage ? this.outages + 1 : 0;
    if (outage) void this.retryWhenReachable(this.outages - 1);
    this.shadowDrift?.afterRun();
  }

  /**
   * A database went away: wait for it with backoff (logging once), then sync everything. The
   * first wait grows with each consecutive failed retry, so a lasting failure is never re-run fast.
   */
  private async retryWhenReachable(attempt: number): Promise<void> {
    if (this.retrying) return;
    this.retrying = true;
    try {
      await sleep(backoffMs(attempt), this.lifetime.signal);
      await waitForTargets(this.project.targets.targets, this.ctx.logger, this.lifetime.signal);
      this.scheduler.trigger(FULL_RUN);
    } catch {
      // Shutting down.
    } finally {
      this.retrying = false;
    }
  }

  private async shutdown(): Promise<void> {
    this.lifetime.abort();
    this.follower?.close();
    await this.watcher?.close();
    // Cancelling aborts the run in flight: the migration in progress rolls back, tools are killed.
    await this.scheduler.close({ cancel: true });
    await this.shadowDrift?.stop();
    await this.built.prismaWorker?.close();
    await this.server?.close();
    await this.project.close();
    this.ctx.logger.info({ event: 'shutdown:end' }, 'stopped');
    this.resolveExit(0);
  }
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
