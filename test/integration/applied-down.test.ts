import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { runSchemasync } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';

const migration = (table: string) => `-- +goose Up\nCREATE TABLE ${table} (id int);\n-- +goose Down\nDROP TABLE ${table};\n`;

// A migration edited after it was applied: its file's Down would undo something never applied.
describeWith('PostgreSQL', postgresMissing(), 'down and redo of a migration edited after it was applied', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  const file = () => join(dir, '00001_things.sql');
  const cli = (...args: string[]) => runSchemasync([...args, '--dir', dir], { cwd: dir, env: { DATABASE_URL: database.url, CLICKHOUSE_URL: '' } });
  const tables = () =>
    withClient(database.url, async (c) =>
      (
        await c.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'goose_db_version' ORDER BY 1`)
      ).rows.map((r) => r.t),
    );

  beforeEach(async () => {
    database = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'schemasync-down-'));
    await writeFile(file(), migration('old_things'));
    const up = await cli('up');
    expect(up.code, up.output).toBe(0);
    await writeFile(file(), migration('new_things'));
  });
  afterEach(async () => {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('down runs the Down it was applied with, and says so in one line', async () => {
    const down = await cli('down');
    expect(down.code, down.output).toBe(0);
    expect(await tables()).toEqual([]);
    const notes = down.events.filter((e) => e.event === 'migration:applied-down');
    expect(notes).toHaveLength(1);
    expect(String(notes[0]?.msg)).toContain('00001_things.sql was edited after it was applied: rolling it back with the Down it was applied with');
  });

  it('redo undoes the applied text, then applies the file as it is now', async () => {
    const redo = await cli('redo');
    expect(redo.code, redo.output).toBe(0);
    expect(await tables()).toEqual(['new_things']);
  });

  it('a version goose applied (no recorded text) uses the file', async () => {
    await withClient(database.url, (c) => c.query('DELETE FROM schemasync.migrations'));
    await withClient(database.url, (c) => c.query('ALTER TABLE old_things RENAME TO new_things'));
    const down = await cli('down');
    expect(down.code, down.output).toBe(0);
    expect(down.events.some((e) => e.event === 'migration:applied-down')).toBe(false);
    expect(await tables()).toEqual([]);
  });
});
