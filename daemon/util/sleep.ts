import { CancelledError } from '../errors.ts';

/** Waits `ms`; rejects with CancelledError(`cancelled`) as soon as `signal` aborts (at once if it already has). */
export function sleep(ms: number, signal?: AbortSignal, cancelled = 'cancelled'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError(cancelled));
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(new CancelledError(cancelled));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
