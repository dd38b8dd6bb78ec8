import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { SQL_TEMPLATE } from '../../daemon/migrations/filename.ts';
import { startSchemasync, type DaemonProcess } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import { nextRun } from './watch-helpers.ts';

/**
 * What the live log says about saved migrations, on a project of migrations alone (no Prisma, no
 * sqlc: their steps are off), one daemon for the scenarios in order.
 */
describeWith('PostgreSQL', postgresMissing(), 'the live log of schemasync watch', () => {
  let root: string;
  let daemon: DaemonProcess;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const migration = (name: string) => join(root, 'migrations/postgres', name);
  const versions = () =>
    withClient(database.url, async (c) =>
      (await c.query<{ v: string }>('SELECT version_id AS v FROM goose_db_version ORDER BY id')).rows.map((r) => Number(r.v)),
    );
  /** Writes files and waits for the run they trigger. */
  const save = async (files: Record<string, string>) => {
    const from = daemon.events.length;
    for (const [name, text] of Object.entries(files)) await writeFile(migration(name), text);
    return nextRun(daemon, from);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    root = await mkdtemp(join(tmpdir(), 'schemasync-log-'));
    await mkdir(join(root, 'migrations/postgres'), { recursive: true });
    await writeFile(join(root, 'package.json'), '{"name":"log-test","private":true}\n');
    daemon = startSchemasync(['watch'], { cwd: root, env: { DATABASE_URL: database.url, CLICKHOUSE_URL: '' } });
    await daemon.waitFor((e) => e.event === 'run:end', 30_000, 'the first run');
  });
  afterAll(async () => {
    if (daemon) expect(await daemon.stop()).toBe(0);
    await database?.drop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('does not apply a file that still holds the create template; one line says it waits for its SQL', async () => {
    await save({ '00001_first.sql': SQL_TEMPLATE });
    expect(await versions()).toEqual([0]);
    await save({ '00002_second.sql': '-- +goose Up\nCREATE TABLE seconds (id int);\n-- +goose Down\nDROP TABLE seconds;\n' });
    expect(await versions()).toEqual([0]);
    const waits = daemon.events.filter((e) => e.event === 'migration:template');
    expect(waits, daemon.text()).toHaveLength(1);
    expect(String(waits[0]?.msg)).toContain('migrations/postgres/00001_first.sql still holds the template');
    // Said once: no drift warning repeats it (its advice, `schemasync up`, would apply the placeholder).
    expect(
      daemon.events.filter((e) => e.event === 'drift' && String(e.file).endsWith('00001_first.sql')),
      daemon.text(),
    ).toEqual([]);
    // Filled in: both apply, in order, and nothing is "edited after it was applied".
    const run = await save({ '00001_first.sql': '-- +goose Up\nCREATE TABLE firsts (id int);\n-- +goose Down\nDROP TABLE firsts;\n' });
    expect(run.end.ok, daemon.text()).toBe(true);
    expect(await versions()).toEqual([0, 1, 2]);
    expect(daemon.events.some((e) => e.event === 'drift' && String(e.kind) === 'migration-edited')).toBe(false);
  });
  it('says what a saved migration changed, under its file: a table and a column', async () => {
    const from = daemon.events.length;
    const run = await save({
      '00003_gadgets.sql':
        '-- +goose Up\nCREATE TABLE gadgets (id bigserial PRIMARY KEY, name text);\nALTER TABLE firsts ADD COLUMN nickname varchar(40);\n-- +goose Down\nDROP TABLE gadgets;\nALTER TABLE firsts DROP COLUMN nickname;\n',
    });
    expect(run.end.ok, daemon.text()).toBe(true);
    const events = daemon.events.slice(from);
    const applied = events.findIndex((e) => e.event === 'migration:applied' && e.file === 'migrations/postgres/00003_gadgets.sql');
    const changed = events.findIndex((e) => e.event === 'schema:changed');
    expect(applied, daemon.text()).toBeGreaterThanOrEqual(0);
    expect(changed).toBe(applied + 1);
    const event = events[changed]!;
    expect(event).toMatchObject({ file: 'migrations/postgres/00003_gadgets.sql', direction: 'up' });
    expect(String(event.msg).split('\n')).toEqual(['+ table gadgets (id bigserial, name text)', '+ column firsts.nickname character varying(40)']);
    expect(event.changes).toEqual([
      { change: '+', kind: 'table', name: 'gadgets', detail: '(id bigserial, name text)' },
      { change: '+', kind: 'column', name: 'firsts.nickname', detail: 'character varying(40)' },
    ]);
    expect(events.filter((e) => e.event === 'schema:changed')).toHaveLength(1);
  });

  it('a migration that changes no schema object says nothing more', async () => {
    const from = daemon.events.length;
    await save({ '00004_seed.sql': "-- +goose Up\nINSERT INTO gadgets (name) VALUES ('x');\n-- +goose Down\nDELETE FROM gadgets;\n" });
    const events = daemon.events.slice(from);
    expect(events.some((e) => e.event === 'migration:applied')).toBe(true);
    expect(events.some((e) => e.event === 'schema:changed')).toBe(false);
  });
  it('a Go migration stops the apply before it, said once per file, not once per run', async () => {
    await writeFile(migration('00005_go_step.go'), 'package migrations\n');
    const sql = (table: string) => `-- +goose Up\nCREATE TABLE ${table} (id int);\n-- +goose Down\nDROP TABLE ${table};\n`;
    await save({ '00006_after_go.sql': sql('after_go') });
    await save({ '00006_after_go.sql': sql('after_go_2') });
    expect(await versions()).toEqual([0, 1, 2, 3, 4]);
    const warnings = daemon.events.filter((e) => e.event === 'migration:go');
    expect(warnings, daemon.text()).toHaveLength(1);
    expect(String(warnings[0]?.msg)).toContain('migrations/postgres/00005_go_step.go is a Go migration');
  });
});
