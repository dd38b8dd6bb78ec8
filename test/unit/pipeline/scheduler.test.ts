import { describe, expect, it } from 'vitest';

import { isSchemasyncError } from '../../../daemon/errors.ts';
import type { Logger } from '../../../daemon/log/types.ts';
import { silentLogger } from '../../../daemon/log/types.ts';
import { createScheduler } from '../../../daemon/pipeline/scheduler.ts';

/** A promise the test settles by hand, to hold a fake run open. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets p-queue start the next job (it does so on a microtask after the previous one ends). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/**
 * A fake pipeline: every run records its changes and waits until the test releases it, and
 * it tracks how many runs overlap.
 */
function fakePipeline() {
  const runs: string[][] = [];
  const releases: Array<ReturnType<typeof deferred>> = [];
  const signals: AbortSignal[] = [];
  let active = 0;
  let maxActive = 0;
  const run = async (changes: string[], signal: AbortSignal) => {
    active++;
    maxActive = Math.max(maxActive, active);
    runs.push(changes);
    signals.push(signal);
    const release = deferred();
    releases.push(release);
    try {
      await release.promise;
    } finally {
      active--;
    }
  };
  return {
    run,
    runs,
    signals,
    get maxActive() {
      return maxActive;
    },
    /** Finishes the run with this index (0-based). */
    release(index: number) {
      const release = releases[index];
      if (!release) throw new Error(`run ${index} never started`);
      release.resolve();
    },
    fail(index: number, error: Error) {
      releases[index]!.reject(error);
    },
  };
}

const mergeLists = (a: string[], b: string[]) => [...a, ...b];

describe('createScheduler', () => {
  it('runs a single trigger once with its changes', async () => {
    const pipeline = fakePipeline();
    const scheduler = createScheduler({ run: pipeline.run, merge: mergeLists });
    scheduler.trigger(['a.sql']);
    await settle();
    expect(scheduler.running).toBe(true);
    expect(scheduler.pending).toBe(false);
    pipeline.release(0);
    await scheduler.idle();
    expect(pipeline.runs).toEqual([['a.sql']]);
    expect(scheduler.running).toBe(false);
  });

  it('merges N triggers during a run into exactly one more run', async () => {
    const pipeline = fakePipeline();
    const scheduler = createScheduler({ run: pipeline.run, merge: mergeLists });
    scheduler.trigger(['first.sql']);
    await settle();
    for (let i = 0; i < 20; i++) scheduler.trigger([`during-${i}.sql`]);
    await settle();
    expect(pipeline.runs).toHaveLength(1);
    expect(scheduler.pending).toBe(true);

    pipeline.release(0);
    await settle();
    expect(pipeline.runs).toHaveLength(2);
    expect(pipeline.runs[1]).toEqual(Array.from({ length: 20 }, (_, i) => `during-${i}.sql`));
    expect(scheduler.pending).toBe(false);

    pipeline.release(1);
    await scheduler.idle();
    expect(pipeline.runs).toHaveLength(2);
    expect(pipeline.maxActive).toBe(1);
  });

  it('merges triggers that arrive before the first run has started', async () => {
    const pipeline = fakePipeline();
    const scheduler = createScheduler({ run: pipeline.run, merge: mergeLists });
    scheduler.trigger(['a.sql']);
    scheduler.trigger(['b.sql']);
    await settle();
    while (scheduler.running) {
      pipeline.release(pipeline.runs.length - 1);
      await settle();
    }
    await scheduler.idle();
    // Whether the second trigger joins the first run or forms the next one, nothing is lost and
    // there are never more runs than triggers.
    expect(pipeline.runs.flat()).toEqual(['a.sql', 'b.sql']);
    expect(pipeline.runs.length).toBeLessThanOrEqual(2);
  });

  it('never runs two at once across several rounds of triggers', async () => {
    const pipeline = fakePipeline();
    const scheduler = createScheduler({ run: pipeline.run, merge: mergeLists });
    for (let round = 0; round < 5; round++) {
      scheduler.trigger([`r${round}-a`]);
      scheduler.trigger([`r${round}-b`]);
      await settle();
      pipeline.release(pipeline.runs.length - 1);
      await settle();
    }
    while (scheduler.running) {
      pipeline.release(pipeline.runs.length - 1);
      await settle();
    }
    await scheduler.idle();
    expect(pipeline.maxActive).toBe(1);
    expect(pipeline.runs.flat().sort()).toEqual(
      Array.from({ length: 5 }, (_, round) => [`r${round}-a`, `r${round}-b`])
        .flat()
        .sort(),
    );
  });

  it('keeps going after a run throws, and logs the crash', async () => {
    const pipeline = fakePipeline();
    const logged: unknown[] = [];
    const logger: Logger = { ...silentLogger, error: (fields: unknown) => void logged.push(fields) };
    const scheduler = createScheduler({ run: pipeline.run, merge: mergeLists, logger });
    scheduler.trigger(['a.sql']);
    await settle();
    scheduler.trigger(['b.sql']);
    pipeline.fail(0, new Error('boom'));
    await settle();
    expect(logged).toEqual([expect.objectContaining({ event: 'run:crash' })]);
    expect(pipeline.runs).toEqual([['a.sql'], ['b.sql']]);
    pipeline.release(1);
    await scheduler.idle();
  });

  it('close waits for the active and the waiting run, then ignores triggers', async () => {
    const pipeline = fakePipeline();
    const scheduler = createScheduler({ run: pipeline.run, merge: mergeLists });
    scheduler.trigger(['a.sql']);
    await settle();
    scheduler.trigger(['b.sql']);
    let closed = false;
    const closing = scheduler.close().then(() => {
      closed = true;
    });
    scheduler.trigger(['after-close.sql']);
    await settle();
    expect(closed).toBe(false);
    pipeline.release(0);
    await settle();
    expect(closed).toBe(false);
    pipeline.release(1);
    await closing;
    expect(closed).toBe(true);
    expect(pipeline.runs).toEqual([['a.sql'], ['b.sql']]);
    expect(pipeline.signals.every((signal) => !signal.aborted)).toBe(true);
  });

  it('close with cancel aborts the active run and drops the waiting one', async () => {
    const pipeline = fakePipeline();
    const scheduler = createScheduler({ run: pipeline.run, merge: mergeLists });
    scheduler.trigger(['a.sql']);
    await settle();
    scheduler.trigger(['b.sql']);
    const closing = scheduler.close({ cancel: true });
    const signal = pipeline.signals[0]!;
    expect(signal.aborted).toBe(true);
    expect(isSchemasyncError(signal.reason) && signal.reason.code).toBe('CANCELLED');
    // The fake run ignores its signal; close still waits for it to end.
    pipeline.release(0);
    await closing;
    expect(pipeline.runs).toEqual([['a.sql']]);
    expect(scheduler.running).toBe(false);
    expect(scheduler.pending).toBe(false);
  });

  it('close on an idle scheduler resolves at once', async () => {
    const scheduler = createScheduler<string[]>({ run: async () => {}, merge: mergeLists });
    await expect(scheduler.close({ cancel: true })).resolves.toBeUndefined();
  });
});
