import { describe, expect, it } from 'vitest';

import { isStaleShadow, shadowName } from '../../../daemon/targets/shadow-name.ts';

describe('shadow names', () => {
  it.each([
    { name: shadowName(0, 'ab12'), now: 3_600_001, stale: true },
    { name: shadowName(1_000_000, 'ab12'), now: 1_000_000 + 60_000, stale: false },
    { name: 'schemasync_shadow_manual', now: Date.now(), stale: false },
    { name: 'app', now: Date.now(), stale: false },
  ])('$name at $now: stale $stale', ({ name, now, stale }) => {
    expect(isStaleShadow(name, now)).toBe(stale);
  });
});
