import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { pullAhead } from '../../../../daemon/tools/prisma-worker/pull-ahead.ts';

describe("a pull's set-up made ahead", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'schemasync-pull-ahead-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A set-up that says what it read; `released` lists the ones given back. */
  function setUps(schema: string, read: () => string) {
    const released: string[] = [];
    let made = 0;
    const ahead = pullAhead(
      schema,
      () => Promise.resolve(`${++made}:${read()}`),
      (setup) => Promise.resolve(void released.push(setup)),
    );
    return { ahead, released };
  }

  it('is taken once when the schema file is as it was, and released when it was written since', async () => {
    const schema = path.join(dir, 'schema.prisma');
    writeFileSync(schema, 'model a {}\n');
    const { ahead, released } = setUps(schema, () => 'a');
    await ahead.prepare();
    expect(await ahead.take()).toBe('1:a');
    expect(await ahead.take()).toBeUndefined(); // once
    await ahead.prepare();
    writeFileSync(schema, 'model b {}\n');
    expect(await ahead.take()).toBeUndefined();
    expect(released).toEqual(['2:a']);
  });

  it('a schema folder: a file added to it makes the set-up stale', async () => {
    const folder = path.join(dir, 'schema');
    mkdirSync(path.join(folder, 'models'), { recursive: true });
    writeFileSync(path.join(folder, 'schema.prisma'), 'datasource db {}\n');
    const { ahead, released } = setUps(folder, () => 'folder');
    await ahead.prepare();
    expect(await ahead.take()).toBe('1:folder');
    await ahead.prepare();
    writeFileSync(path.join(folder, 'models', 'user.prisma'), 'model user {}\n');
    expect(await ahead.take()).toBeUndefined();
    expect(released).toEqual(['2:folder']);
  });

  it('a set-up that fails is left to the pull; one prepared again replaces the last; discard releases it', async () => {
    const schema = path.join(dir, 'other.prisma');
    writeFileSync(schema, 'model a {}\n');
    const released: string[] = [];
    let fail = true;
    const ahead = pullAhead(
      schema,
      () => (fail ? Promise.reject(new Error('broken schema')) : Promise.resolve('ok')),
      (setup) => Promise.resolve(void released.push(setup)),
    );
    await ahead.prepare();
    expect(await ahead.take()).toBeUndefined();
    fail = false;
    await ahead.prepare();
    await ahead.prepare();
    expect(released).toEqual(['ok']);
    await ahead.discard();
    expect(released).toEqual(['ok', 'ok']);
    expect(await ahead.take()).toBeUndefined();
  });
});
