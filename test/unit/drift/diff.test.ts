import { describe, expect, it } from 'vitest';

import { lineDiff } from '../../../daemon/drift/diff.ts';

const SCHEMA = ['model users {', '  id    String @id', '  email String', '}', ''].join('\n');
const EDITED = ['model users {', '  id    String @id', '  email String', '  nick  String?', '}', ''].join('\n');

describe('lineDiff', () => {
  it('is undefined for texts that differ only in trailing whitespace, CRLF and final blank lines', () => {
    expect(lineDiff(SCHEMA, `${SCHEMA.replaceAll('\n', '  \r\n')}\n\n`)).toBeUndefined();
    expect(lineDiff('', '\n\n')).toBeUndefined();
  });

  it('points at the first differing line and shows it with context under a hunk header', () => {
    const diff = lineDiff(EDITED, SCHEMA)!;
    expect(diff.firstLine).toBe(4);
    expect(diff.changedLines).toBe(1);
    expect(diff.text).toBe(['@@ -2,4 +2,3 @@', '   id    String @id', '   email String', '-  nick  String?', ' }'].join('\n'));
  });

  it('labels the two sides like a unified diff', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8'].join('\n');
    const after = ['1', '2', '3', '4', '5', '6', 'seven', '8'].join('\n');
    expect(lineDiff(before, after, { labels: ['applied', 'file now'] })!.text).toBe(
      ['--- applied', '+++ file now', '@@ -5,4 +5,4 @@', ' 5', ' 6', '-7', '+seven', ' 8'].join('\n'),
    );
  });

  it('cuts long diffs and says how much was left out, counting every changed line', () => {
    const before = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const after = Array.from({ length: 100 }, (_, i) => `LINE ${i}`).join('\n');
    const diff = lineDiff(before, after, { maxLines: 5 })!;
    expect(diff.changedLines).toBe(200);
    expect(diff.text.split('\n')).toHaveLength(6);
    expect(diff.text).toMatch(/… 196 more diff lines$/);
  });

  it('points an addition after the last line at the last line', () => {
    expect(lineDiff('a\nb', 'a\nb\nc')!.firstLine).toBe(2);
  });

  it('stays fast on a large schema with one change (Myers, not a quadratic table)', () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `  field${i} String`).join('\n');
    const edited = big.replace('  field10000 String', '  field10000 Int');
    const diff = lineDiff(big, edited)!;
    expect(diff.firstLine).toBe(10_001);
    expect(diff.changedLines).toBe(2);
  });
});
