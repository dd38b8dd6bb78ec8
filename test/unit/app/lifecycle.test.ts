import { describe, expect, it } from 'vitest';

import { signalAction } from '../../../daemon/app/lifecycle.ts';
import { parentToWatch, runnerGone, STDIN_GRACE_MS, stdinEndMeansGone } from '../../../daemon/app/runner-watch.ts';
import { wantsColor } from '../../../daemon/log/logger.ts';

describe('signalAction: one Ctrl-C through a runner arrives twice', () => {
  it.each([
    [undefined, 0, 'stop'],
    [1_000, 1_050, 'duplicate'],
    [1_000, 1_999, 'duplicate'],
    [1_000, 2_000, 'force'],
    [1_000, 9_000, 'force'],
  ] as const)('first at %s, now %s: %s', (firstAt, now, expected) => {
    expect(signalAction(firstAt, now)).toBe(expected);
  });
});

describe('wantsColor', () => {
  it.each([
    [{}, true, true],
    [{}, false, false],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ NO_COLOR: '1', FORCE_COLOR: '1' }, true, false],
  ] as const)('%o on a terminal %s: %s', (env, isTTY, expected) => {
    expect(wantsColor(env, isTTY)).toBe(expected);
  });
});

describe('the runner: whose exit stops the daemon', () => {
  it.each([
    [1, 0, undefined],
    [4321, 1, undefined],
    [4321, 1200, 1200],
  ] as const)('pid %s with parent %s watches %s', (pid, ppid, expected) => {
    expect(parentToWatch(pid, ppid)).toBe(expected);
  });

  it.each([
    [1200, 1200, false],
    [1200, 1, true],
    // Reparented to a subreaper (systemd --user, a container's tini), not to init.
    [1200, 77, true],
    [undefined, 1, false],
  ] as const)('started under %s, parent now %s: gone %s', (start, now, expected) => {
    expect(runnerGone(start, now)).toBe(expected);
  });
});

describe('a piped stdin that ends', () => {
  it('at start-up is no input (nodemon passing an empty stdin on), later the runner gone', () => {
    expect(stdinEndMeansGone(200)).toBe(false);
    expect(stdinEndMeansGone(STDIN_GRACE_MS)).toBe(true);
    expect(stdinEndMeansGone(60_000)).toBe(true);
  });
});
