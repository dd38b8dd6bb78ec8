import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createShadowWatch } from '../../../daemon/app/shadow-watch.ts';
import { silentLogger } from '../../../daemon/log/types.ts';

describe('createShadowWatch: when watch mode compares with a shadow database', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const setup = (auto: boolean) => {
    const state = { busy: false, compares: 0 };
    const watch = createShadowWatch({
      quietMs: 5_000,
      auto,
      busy: () => state.busy,
      logger: silentLogger,
      compare: () => {
        state.compares++;
        return Promise.resolve();
      },
    });
    return { state, watch };
  };

  it('with --shadow: once, 5 s after the last of several runs, and not again until another run', async () => {
    const { state, watch } = setup(true);
    watch.afterRun();
    await vi.advanceTimersByTimeAsync(3_000);
    watch.afterRun();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(state.compares).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.compares).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(state.compares).toBe(1);
    watch.afterRun();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(state.compares).toBe(2);
    await watch.close();
  });

  it('waits while a run is in progress', async () => {
    const { state, watch } = setup(true);
    state.busy = true;
    watch.afterRun();
    await vi.advanceTimersByTimeAsync(12_000);
    expect(state.compares).toBe(0);
    state.busy = false;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(state.compares).toBe(1);
    await watch.close();
  });

  it('without --shadow: only on request (SIGUSR2), at once', async () => {
    const { state, watch } = setup(false);
    watch.afterRun();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(state.compares).toBe(0);
    watch.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(state.compares).toBe(1);
    await watch.close();
    watch.request();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(state.compares).toBe(1);
  });
});
