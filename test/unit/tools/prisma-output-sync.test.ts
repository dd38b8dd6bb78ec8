import { describe, expect, it } from 'vitest';

import { isInside, planOutput } from '../../../daemon/tools/prisma-worker/output-sync.ts';

const out = '/p/generated/prisma';
const file = (name: string) => `${out}/${name}`;
const tree = (entries: Record<string, string>) => new Map(Object.entries(entries).map(([name, text]) => [file(name), Buffer.from(text)]));

describe('planOutput', () => {
  it('writes only new or changed files', () => {
    const existing = tree({ 'client.ts': 'same', 'models/a.ts': 'old a' });
    const written = new Map([
      [file('client.ts'), 'same'],
      [file('models/a.ts'), 'new a'],
      [file('models/b.ts'), 'b'],
    ]);
    expect(planOutput(existing, { removed: new Set([file('client.ts'), file('models')]), written })).toEqual({
      write: [file('models/a.ts'), file('models/b.ts')],
      remove: [],
    });
  });

  it('removes what the generator removed and did not write again (a dropped model), nothing else', () => {
    const existing = tree({ 'client.ts': 'c', 'models/a.ts': 'a', 'models/gone.ts': 'g', 'README.md': 'mine' });
    const written = new Map([
      [file('client.ts'), 'c'],
      [file('models/a.ts'), 'a'],
    ]);
    expect(planOutput(existing, { removed: new Set([file('client.ts'), file('models')]), written })).toEqual({ write: [], remove: [file('models/gone.ts')] });
  });

  it('compares bytes, not text: a Buffer equal to the file is unchanged', () => {
    const existing = tree({ 'x.wasm': 'bytes' });
    expect(planOutput(existing, { removed: new Set(), written: new Map([[file('x.wasm'), Buffer.from('bytes')]]) }).write).toEqual([]);
  });
});

describe('isInside', () => {
  it('is true for the folder and what is under it only', () => {
    expect(isInside(out, out)).toBe(true);
    expect(isInside(out, file('models/a.ts'))).toBe(true);
    expect(isInside(out, '/p/generated/prisma-other/a.ts')).toBe(false);
    expect(isInside(out, '/p/generated')).toBe(false);
  });
});
