import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { MemoryFile } from '../../../daemon/pipeline/memory.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'schemasync-memory-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

it('concurrent updates (the Prisma and sqlc steps) both land, and the file holds both', async () => {
  const memory = await MemoryFile.open(root);
  await Promise.all([memory.update({ prismaGeneratedFrom: 'a' }), memory.update({ sqlcGeneratedFrom: 'b' }), memory.update({ prismaPulledFrom: 'c' })]);
  const saved: unknown = JSON.parse(await readFile(path.join(root, '.schemasync', 'state.json'), 'utf8'));
  expect(saved).toEqual({ prismaGeneratedFrom: 'a', sqlcGeneratedFrom: 'b', prismaPulledFrom: 'c' });
  expect((await MemoryFile.open(root)).get()).toEqual(saved);
});
