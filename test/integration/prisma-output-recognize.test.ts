import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type fsPromises from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, expect, it } from 'vitest';

import { applyOutput, recognizeOutput, type Captured } from '../../daemon/tools/prisma-worker/output-sync.ts';

/**
 * The worker's prime renders the client without writing it; recognizeOutput then remembers the
 * files on disk that already hold that output, so the first save compares them in memory: an
 * apply of the same output afterwards reads and writes none of them, and one that differed is
 * still read and written.
 */

const promises = createRequire(import.meta.url)('node:fs/promises') as typeof fsPromises;
const dir = mkdtempSync(path.join(tmpdir(), 'schemasync-recognize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('remembers the files that hold the output, so an apply of it reads and writes none of them', async () => {
  const out = path.join(dir, 'generated');
  mkdirSync(path.join(out, 'models'), { recursive: true });
  const files = { client: path.join(out, 'client.ts'), user: path.join(out, 'models', 'User.ts'), post: path.join(out, 'models', 'Post.ts') };
  writeFileSync(files.client, 'export const client = 1;\n');
  writeFileSync(files.user, 'export type User = {};\n');
  writeFileSync(files.post, 'export type Post = { old: true };\n'); // not what the generator makes now
  const captured = (): Captured => ({
    removed: new Set([out]),
    written: new Map([
      [files.client, 'export const client = 1;\n'],
      [files.user, 'export type User = {};\n'],
      [files.post, 'export type Post = {};\n'],
    ]),
  });
  const before = statSync(files.client);
  await recognizeOutput(out, captured());
  expect(readFileSync(files.post, 'utf8')).toBe('export type Post = { old: true };\n'); // nothing written

  const read: string[] = [];
  const readFile = promises.readFile;
  promises.readFile = ((file: string, ...rest: unknown[]) => {
    read.push(file);
    return (readFile as (...a: unknown[]) => Promise<unknown>)(file, ...rest);
  }) as typeof readFile;
  try {
    expect(await applyOutput(out, captured())).toEqual({ written: 1, removed: 0 });
  } finally {
    promises.readFile = readFile;
  }
  expect(read).toEqual([files.post]);
  expect(readFileSync(files.post, 'utf8')).toBe('export type Post = {};\n');
  const after = statSync(files.client);
  expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
});
