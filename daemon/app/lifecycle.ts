import type { Logger } from '../log/types.ts';

/**
 * SIGINT / SIGTERM handling for the daemon. The first signal starts a graceful shutdown (stop
 * watching, let the migration in flight finish or roll back, stop child processes, close
 * connections); a second one, or a shutdown that hangs past `forceAfterMs`, exits at once.
 * Idempotent: `shutdown` runs once whatever arrives.
 */
export function handleSignals(logger: Logger, shutdown: (reason: string) => Promise<void>, options: { forceAfterMs?: number } = {}): () => void {
  let stopping: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ event: 'shutdown:forced', signal }, `${signal} again: exiting now`);
      process.exit(130);
    }
    logger.info({ event: 'shutdown:start', signal }, `${signal} received: shutting down`);
    const force = setTimeout(() => {
      logger.error({ event: 'shutdown:timeout' }, 'shutdown did not finish in time: exiting');
      process.exit(1);
    }, options.forceAfterMs ?? 10_000);
    force.unref();
    stopping = shutdown(signal).finally(() => clearTimeout(force));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
