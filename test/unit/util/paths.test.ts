import { describe, expect, it } from 'vitest';
import { contains, shownPath } from '../../../daemon/util/paths.ts';

describe('contains (one rule for "inside")', () => {
  it.each<[string, string, boolean]>([
    ['/p/migrations', '/p/migrations', true],
    ['/p/migrations', '/p/migrations/00001_a.sql', true],
    ['/p/migrations', '/p/migrations/..00001_a.sql', true],
    ['/p/migrations', '/p/migrations-old/00001_a.sql', false],
    ['/p/migrations', '/p', false],
    ['/p/migrations', '/q/migrations/00001_a.sql', false],
  ])('%s holds %s: %s', (dir, file, expected) => {
    expect(contains(dir, file)).toBe(expected);
  });
});

describe('shownPath', () => {
  it('is project-relative inside the project, absolute outside it', () => {
    expect(shownPath('/p', '/p/migrations/x.sql')).toBe('migrations/x.sql');
    expect(shownPath('/p', '/p')).toBe('.');
    expect(shownPath('/p', '/elsewhere/x.sql')).toBe('/elsewhere/x.sql');
  });
});
