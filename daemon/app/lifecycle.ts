import type { Logger } from '../log/types.ts';
import { watchRunner } from './runner-watch.ts';

/**
 * A signal this soon after the first is the same Ctrl-C: a runner (concurrently, npm, a
 * docker-compose `init`) forwards the SIGINT the terminal already sent to the whole process group.
 */
export const DUPLICATE_WITHIN_MS = 1_000;

/**
 * How long after a signal the process stays (with its handler) before it exits. A runner's
 * duplicate arrives within milliseconds, but one that lands while Node tears the process down
 * (its signal handlers already gone) kills it: a clean exit 0 would become a death by SIGINT.
 */
export const SIGNAL_LINGER_MS = 300;

/** A shutdown that takes longer than this is stuck: the process exits 1. */
const FORCE_AFTER_MS = 10_000;

/** What to do with a signal. Pure: the caller passes the time of the first signal, if any. */
export function signalAction(firstAt: number | undefined, now: number, duplicateWithinMs = DUPLICATE_WITHIN_MS): 'stop' | 'duplicate' | 'force' {
  if (firstAt === undefined) return 'stop';
  return now - firstAt < duplicateWithinMs ? 'duplicate' : 'force';
}

/**
 * SIGINT / SIGTERM handling for the daemon. The first signal starts a graceful shutdown (stop
 * watching, let the migration in flight finish or roll back, stop child processes, close
 * connections). A signal within a second of it is the same request delivered twice and is
 * ignored; a later one (Ctrl-C pressed again), or a shutdown that hangs past `FORCE_AFTER_MS`,
 * exits at once. Idempotent: `shutdown` runs once whatever arrives. With `watchRunner` (the
 * daemon), the exit of the process that started it (runner-watch.ts) starts the same shutdown.
 * The returned function stops listening; after a stop it resolves once `SIGNAL_LINGER_MS` have
 * passed since it began.
 */
export function handleSignals(logger: Logger, shutdown: (reason: string) => Promise<void>, options: { watchRunner?: boolean } = {}): () => Promise<void> {
  let firstAt: number | undefined;
  const begin = (reason: NodeJS.Signals | 'runner') => {
    firstAt = Date.now();
    stopRunnerWatch?.();
    if (reason === 'runner') logger.info({ event: 'shutdown:start', reason }, 'runner exited: stopping');
    else
      logger.info(
        { event: 'shutdown:start', signal: reason },
        `${reason} received: shutting down${reason === 'SIGINT' ? ' (Ctrl-C again to exit at once)' : ''}`,
      );
    const force = setTimeout(() => {
      logger.error({ event: 'shutdown:timeout' }, 'shutdown did not finish in time: exiting');
      process.exit(1);
    }, FORCE_AFTER_MS);
    force.unref();
    void shutdown(reason).finally(() => clearTimeout(force));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    const action = signalAction(firstAt, Date.now());
    if (action === 'duplicate') {
      logger.debug({ event: 'shutdown:duplicate', signal }, `${signal} again within a second: the same stop, already under way`);
      return;
    }
    if (action === 'force') {
      logger.warn({ event: 'shutdown:forced', signal }, `${signal} again: exiting now`);
      process.exit(130);
    }
    begin(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // npm, npx and sh do not pass a SIGTERM on: the runner's exit is the daemon's cue to stop.
  const stopRunnerWatch = options.watchRunner ? watchRunner(() => firstAt === undefined && begin('runner')) : undefined;
  return async () => {
    stopRunnerWatch?.();
    if (firstAt === undefined) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      return;
    }
    // After a signal the process is on its way out: the handler stays (a duplicate is ignored, a
    // later signal still exits at once should the exit hang) and the exit waits out the linger.
    const left = firstAt + SIGNAL_LINGER_MS - Date.now();
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  };
}

/** The daemon's handling: handleSignals, and the runner's exit stops it too (runner-watch.ts). */
export function handleDaemonSignals(logger: Logger, shutdown: (reason: string) => Promise<void>): () => Promise<void> {
  return handleSignals(logger, shutdown, { watchRunner: true });
}
