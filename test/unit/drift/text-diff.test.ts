import { describe, expect, it } from 'vitest';

import { shortDiff } from '../../../daemon/drift/text-diff.ts';
import { isStaleShadow, shadowName } from '../../../daemon/targets/shadow-name.ts';

describe('shortDiff', () => {
  it('is empty for equal texts, CRLF included', () => {
    expect(shortDiff('a\nb\n', 'a\r\nb\r\n')).toBe('');
  });

  it('shows changed lines with context and cuts far-away equal lines', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8'].join('\n');
    const after = ['1', '2', '3', '4', '5', '6', 'seven', '8'].join('\n');
    expect(shortDiff(before, after, { labels: ['applied', 'file now'] })).toBe(['--- applied', '+++ file now', '@@', ' 5', ' 6', '-7', '+seven', ' 8'].join('\n'));
  });

  it('is bounded', () => {
    const before = Array.from({ length: 100 }, (_, i) => `a${i}`).join('\n');
    const after = Array.from({ length: 100 }, (_, i) => `b${i}`).join('\n');
    const lines = shortDiff(before, after, { maxLines: 10 }).split('\n');
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toBe('… 190 more diff lines');
  });
});

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
