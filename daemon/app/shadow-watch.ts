import { runDriftChecks, type DriftSources } from '../drift/run.ts';
import type { DriftTracker } from '../drift/tracker.ts';
import { messageOf } from '../errors.ts';
import type { Logger } from '../log/types.ts';
import { driftLog } from './drift.ts';

export interface ShadowWatchOptions {
  /** How long the project must stay quiet after a run before the comparison starts. */
  quietMs: number;
  /** Run automatically after quiet periods (`watch --shadow`); requests work either way. */
  auto: boolean;
  /** A pipeline run is active or waiting: the live schema may be changing. */
  busy: () => boolean;
  /** The comparison itself (builds a shadow database, compares, logs what it found). */
  compare: (signal: AbortSignal) => Promise<void>;
  logger: Logger;
}

export interface ShadowWatch {
  /** A pipeline run ended: with `auto`, compare once the project has been quiet for `quietMs`. */
  afterRun(): void;
  /** Compare as soon as no run is in progress (SIGUSR2). */
  request(): void;
  /** Cancels a comparison in flight and any timer; resolves when it has stopped. */
  close(): Promise<void>;
}

/**
 * When watch mode runs the (costly) shadow-database comparison: at most once per quiet period
 * (`quietMs` after the last run, and not again until another run changes something), or now on
 * request. Never while a run is active, since a half-applied migration would show up as drift.
 */
export function createShadowWatch(options: ShadowWatchOptions): ShadowWatch {
  let timer: NodeJS.Timeout | undefined;
  let dueSinceLastChange = false;
  let requested = false;
  let active: { controller: AbortController; done: Promise<void> } | undefined;
  let closed = false;

  const schedule = (delayMs: number) => {
    clearTimeout(timer);
    timer = setTimeout(tick, delayMs);
  };

  function tick() {
    timer = undefined;
    if (closed || active || !(requested || dueSinceLastChange)) return;
    // A run started meanwhile: try again once it is over (afterRun reschedules as well).
    if (options.busy()) return schedule(options.quietMs);
    requested = false;
    dueSinceLastChange = false;
    const controller = new AbortController();
    const done = options
      .compare(controller.signal)
      .catch((error: unknown) => {
        if (!controller.signal.aborted) options.logger.error({ event: 'drift:shadow-error', err: error }, `the shadow comparison failed: ${messageOf(error)}`);
      })
      .finally(() => {
        active = undefined;
        if (requested && !closed) schedule(0);
      });
    active = { controller, done };
  }

  return {
    afterRun() {
      if (closed) return;
      if (options.auto) dueSinceLastChange = true;
      if (options.auto || requested) schedule(options.auto ? options.quietMs : 0);
    },
    request() {
      if (closed) return;
      requested = true;
      if (!active) schedule(0);
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      active?.controller.abort();
      await active?.done;
    },
  };
}

/** Quiet time before `watch --shadow` compares: long enough that a burst of saves is over. */
export const SHADOW_QUIET_MS = 5_000;

/**
 * Watch mode's shadow comparison: automatic after quiet periods with `--shadow`, and on SIGUSR2
 * (`kill -USR2 <pid>`) at any time. Findings go through the same tracker as the cheap checks,
 * so each is logged once and its resolution too. `stop()` removes the signal handler.
 */
export function startShadowDrift(options: {
  auto: boolean;
  /** What can be checked now (read at each comparison). */
  sources: () => DriftSources;
  tracker: DriftTracker;
  busy: () => boolean;
  logger: Logger;
}): ShadowWatch & { stop(): Promise<void> } {
  const { logger } = options;
  const log = driftLog(logger);
  const watch = createShadowWatch({
    quietMs: SHADOW_QUIET_MS,
    auto: options.auto,
    busy: options.busy,
    logger,
    async compare(signal) {
      logger.info({ event: 'drift:shadow-start' }, 'comparing the live schema with a shadow database built from the migrations');
      const started = performance.now();
      const result = await runDriftChecks(
        options.sources(),
        {
          migrations: false,
          prisma: false,
          sqlc: false,
          shadow: true,
          rollback: false,
        },
        signal,
      );
      log.changes(options.tracker.update(result.ran, result.findings));
      log.unchecked(result.unchecked);
      const schemaFindings = options.tracker.findings.filter((f) => f.kind === 'schema').length;
      logger.info(
        {
          event: 'drift:shadow-end',
          durationMs: Math.round(performance.now() - started),
          findings: schemaFindings,
        },
        result.ran.length === 0
          ? 'shadow comparison did not run'
          : schemaFindings === 0
            ? 'shadow comparison: the live schema matches the migrations'
            : `shadow comparison: ${schemaFindings} difference(s) standing`,
      );
    },
  });
  const onSignal = () => {
    logger.info({ event: 'drift:shadow-requested', signal: 'SIGUSR2' }, 'SIGUSR2: shadow comparison requested');
    watch.request();
  };
  process.on('SIGUSR2', onSignal);
  return {
    ...watch,
    async stop() {
      process.off('SIGUSR2', onSignal);
      await watch.close();
    },
  };
}
