import PQueue from 'p-queue';

import { CancelledError, messageOf } from '../errors.ts';
import { silentLogger, type Logger } from '../log/types.ts';

/**
 * Serializes pipeline runs and merges the triggers that arrive while one is in progress.
 *
 * A plain queue would line up one run per file event, so a burst of saves during a slow run would
 * replay N runs (graphile-migrate's watch mode even starts a second run alongside the first).
 * Here p-queue only provides concurrency 1; the merging is ours: there is at most one *pending*
 * slot. The first trigger fills it and enqueues one job; later triggers merge into the slot until
 * that job starts and empties it. So at most one run is active and at most one waits behind it,
 * holding every change that arrived in the meantime.
 */

export interface SchedulerOptions<T> {
  /** One pipeline run. Should honour `signal` (aborted by `close({ cancel: true })`). */
  run: (changes: T, signal: AbortSignal) => Promise<void>;
  /** Combines the changes of two triggers into one; must not lose either side. */
  merge: (a: T, b: T) => T;
  /** Where a failing run is reported. Defaults to silence. */
  logger?: Logger;
}

export interface Scheduler<T> {
  /** Asks for a run with these changes. Ignored once `close` was called. */
  trigger(changes: T): void;
  /** Resolves when no run is active or waiting. */
  idle(): Promise<void>;
  /**
   * Stops accepting triggers and resolves when the queue is idle. Without `cancel` the active and
   * the waiting run both finish (a drain); with `cancel` the waiting run is dropped and the active
   * run's signal is aborted.
   */
  close(options?: { cancel?: boolean }): Promise<void>;
  /** A run is in progress. */
  readonly running: boolean;
  /** A run is waiting behind the active one. */
  readonly pending: boolean;
}

export function createScheduler<T>(options: SchedulerOptions<T>): Scheduler<T> {
  const logger = options.logger ?? silentLogger;
  const queue = new PQueue({ concurrency: 1 });
  let waiting: { changes: T } | undefined;
  let active: AbortController | undefined;
  let closed = false;

  async function runWaiting(): Promise<void> {
    // Taking the slot here (not at enqueue time) is what lets triggers merge until the run starts.
    const slot = waiting;
    waiting = undefined;
    if (slot === undefined) return;
    const controller = new AbortController();
    active = controller;
    try {
      await options.run(slot.changes, controller.signal);
    } catch (error) {
      // A run is expected to report rather than throw; if it throws anyway the daemon lives on.
      logger.error({ event: 'run:crash', err: error }, `the run crashed: ${messageOf(error)}`);
    } finally {
      active = undefined;
    }
  }

  return {
    trigger(changes) {
      if (closed) {
        logger.debug({ event: 'scheduler:closed' }, 'ignoring a trigger after close');
        return;
      }
      if (waiting !== undefined) {
        waiting = { changes: options.merge(waiting.changes, changes) };
        return;
      }
      waiting = { changes };
      void queue.add(runWaiting);
    },
    idle() {
      return queue.onIdle();
    },
    async close(closeOptions) {
      closed = true;
      if (closeOptions?.cancel) {
        // clear() drops the queued job without settling its promise; nothing awaits it.
        queue.clear();
        waiting = undefined;
        active?.abort(new CancelledError('the run was cancelled because schemasync is shutting down'));
      }
      await queue.onIdle();
    },
    get running() {
      return active !== undefined;
    },
    get pending() {
      return waiting !== undefined;
    },
  };
}
