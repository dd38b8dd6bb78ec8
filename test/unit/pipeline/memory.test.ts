import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { checksum } from '../../../daemon/migrations/checksum.ts';
import { MemoryFile, rememberedPull } from '../../../daemon/pipeline/memory.ts';

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

it('a remembered pull answers only for the same catalog, the same schema.prisma text and the same Prisma and config', () => {
  const schema = 'model users {\n  id Int @id\n}\n';
  const memory = { prismaPulledFrom: 'catalog-1', prismaPulledSchema: checksum(schema), prismaPulledWith: 'prisma-6.19.3' };
  const now = { catalog: 'catalog-1', schema, tool: 'prisma-6.19.3' };
  expect(rememberedPull(memory, now)).toBe(schema);
  expect(rememberedPull(memory, { ...now, catalog: 'catalog-2' })).toBeUndefined();
  expect(rememberedPull(memory, { ...now, schema: `${schema}model posts {\n  id Int @id\n}\n` })).toBeUndefined();
  expect(rememberedPull(memory, { ...now, tool: 'prisma-7.0.0' })).toBeUndefined();
  expect(rememberedPull(memory, { ...now, tool: undefined })).toBeUndefined();
  // A state.json written before schemasync remembered the pulled text: unknown, so pull.
  expect(rememberedPull({ prismaPulledFrom: 'catalog-1' }, now)).toBeUndefined();
});
