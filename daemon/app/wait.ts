import { CancelledError, isSchemasyncError } from '../errors.ts';
import type { Logger } from '../log/types.ts';
import type { Target } from '../targets/target.ts';
import { sleep } from '../util/sleep.ts';

/** Exponential backoff: 0.5 s, 1 s, 2 s … capped at `maxMs`. */
export function backoffMs(attempt: number, maxMs = 10_000): number {
  return Math.min(maxMs, 500 * 2 ** attempt);
}

/**
 * Waits until every target answers, retrying connection failures with backoff. Logs once per
 * target that it is waiting, and where (the URL without its password), and once when it is back.
 * Only connection errors are retried (bad credentials are connection errors too: the developer
 * may be fixing them while the daemon waits); any other error ends the wait.
 */
export async function waitForTargets(targets: Target[], logger: Logger, signal: AbortSignal): Promise<void> {
  await Promise.all(
    targets.map(async (target) => {
      for (let attempt = 0; ; attempt++) {
        try {
          await target.connect(signal);
          if (attempt > 0) logger.info({ event: 'db:ready', target: target.name, where: target.where }, `${target.name} is reachable at ${target.where}`);
          return;
        } catch (error) {
          if (signal.aborted) throw new CancelledError();
          if (!isSchemasyncError(error) || error.code !== 'CONNECTION') throw error;
          if (attempt === 0) {
            logger.warn(
              { event: 'db:wait', target: target.name, where: target.where, reason: error.message },
              `waiting for ${target.name} at ${target.where}: ${error.message}`,
            );
          }
          await sleep(backoffMs(attempt), signal);
        }
      }
    }),
  );
}
