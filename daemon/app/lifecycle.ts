import type { Logger } from '../log/types.ts';

/**
 * A signal this soon after the first is the same Ctrl-C: a runner (concurrently, npm, a
 * docker-compose `init`) forwards the SIGINT the terminal already sent to the whole process group.
 */
export const DUPLICATE_WITHIN_MS = 1_000;

/** What to do with a signal. Pure: the caller passes the time of the first signal, if any. */
export function signalAction(firstAt: number | undefined, now: number, duplicateWithinMs = DUPLICATE_WITHIN_MS): 'stop' | 'duplicate' | 'force' {
  if (firstAt === undefined) return 'stop';
  return now - firstAt < duplicateWithinMs ? 'duplicate' : 'force';
}

/**
 * SIGINT / SIGTERM handling for the daemon. The first signal starts a graceful shutdown (stop
 * watching, let the migration in flight finish or roll back, stop child processes, close
 * connections). A signal within a second of it is the same request delivered twice and is
 * ignored; a later one (Ctrl-C pressed again), or a shutdown that hangs past `forceAfterMs`,
 * exits at once. Idempotent: `shutdown` runs once whatever arrives.
 */
export function handleSignals(logger: Logger, shutdown: (reason: string) => Promise<void>, options: { forceAfterMs?: number } = {}): () => void {
  let firstAt: number | undefined;
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
    firstAt = Date.now();
    logger.info({ event: 'shutdown:start', signal }, `${signal} received: shutting down${signal === 'SIGINT' ? ' (Ctrl-C again to exit at once)' : ''}`);
    const force = setTimeout(() => {
      logger.error({ event: 'shutdown:timeout' }, 'shutdown did not finish in time: exiting');
      process.exit(1);
    }, options.forceAfterMs ?? 10_000);
    force.unref();
    void shutdown(signal).finally(() => clearTimeout(force));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    // After a signal the process is on its way out: the handler stays, so a duplicate that arrives
    // after a fast stop is still ignored (without a listener Node's default action, or
    // signal-exit's re-raise, would turn the clean exit 0 into a signal death), and a later one
    // still exits at once should the exit hang.
    if (firstAt !== undefined) return;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
