import { readdir, readFile, writeFile } from 'node:fs/promises';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { runSchemasync } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { copyExampleProject, type TempProject } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';

const BROKEN = `-- +goose Up
CREATE TABLE widgets (id int PRIMARY KEY);
INSERT INTO widgets VALUES (1);
SELECT id,
       nope
  FROM widgets;

-- +goose Down
DROP TABLE widgets;
`;

describeWith('PostgreSQL', postgresMissing(), 'the schemasync command line', () => {
  let project: TempProject;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const cli = (...args: string[]) => runSchemasync(args, { cwd: project.root, env: { DATABASE_URL: db.url, CLICKHOUSE_URL: '' } });
  const tables = () =>
    withClient(db.url, async (c) =>
      (await c.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((r) => r.t),
    );

  beforeAll(async () => {
    project = await copyExampleProject();
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
    await project.remove();
  });

  it('up applies every example migration, a second up applies nothing, status shows them applied', async () => {
    const first = await cli('up');
    expect(first.code, first.output).toBe(0);
    const files = (await readdir(project.path('migrations/postgres'))).filter((f) => f.endsWith('.sql'));
    expect(first.events.filter((e) => e.event === 'migration:applied')).toHaveLength(files.length);
    expect(await tables()).toEqual(expect.arrayContaining(['spaces', 'users', 'projects', 'api_keys', 'user_sessions', 'goose_db_version']));

    const second = await cli('up');
    expect(second.code).toBe(0);
    expect(second.events.filter((e) => e.event === 'migration:applied')).toHaveLength(0);

    const status = await cli('status', '--json');
    const rows = JSON.parse(status.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(files.length);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(['appliedAt', 'file', 'state', 'target', 'version']);
      expect(row).toMatchObject({ target: 'postgres', state: 'applied' });
      expect(new Date(row.appliedAt as string).getTime()).not.toBeNaN();
    }
    const table = await cli('status');
    expect(table.stdout).toContain('Applied At                  Migration');
    expect(table.stdout).toMatch(/^ {4}\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} -- \d+_create_spaces\.sql$/m);
  });

  it('a failing third statement names file, line and column, shows a code frame and changes nothing', async () => {
    await writeFile(project.path('migrations/postgres/20990101000000_broken.sql'), BROKEN);
    const before = await tables();
    const { code, events, output } = await cli('up');
    expect(code, output).toBe(1);
    const failure = events.find((e) => e.event === 'failure');
    expect(failure, output).toMatchObject({ file: 'migrations/postgres/20990101000000_broken.sql', line: 5, column: 8, serverCode: '42703' });
    expect(String(failure?.msg)).toContain('migrations/postgres/20990101000000_broken.sql:5:8');
    expect(String(failure?.msg)).toContain('column "nope" does not exist');
    expect(String(failure?.frame)).toMatch(/> 5 \|\s+nope/);
    expect(await tables()).toEqual(before);
    const status = JSON.parse((await cli('status', '--json')).stdout) as Array<{ file: string; state: string }>;
    expect(status.find((r) => r.file === '20990101000000_broken.sql')?.state).toBe('pending');
  });

  it('down and redo roll back and re-apply the newest migration', async () => {
    await writeFile(
      project.path('migrations/postgres/20990101000000_broken.sql'),
      BROKEN.replace(/SELECT id,\n\s+nope\n\s+FROM widgets;/, 'SELECT id FROM widgets;'),
    );
    expect((await cli('up')).code).toBe(0);
    expect(await tables()).toContain('widgets');
    const down = await cli('down');
    expect(down.code, down.output).toBe(0);
    expect(await tables()).not.toContain('widgets');
    expect((await cli('up')).code).toBe(0);
    const redo = await cli('redo');
    expect(redo.code, redo.output).toBe(0);
    expect(redo.events.filter((e) => e.event === 'migration:applied').map((e) => e.direction)).toEqual(['down', 'up']);
    expect(await tables()).toContain('widgets');
  });

  it('create names files as goose create does, per target', async () => {
    const pg = await cli('create', 'Add Teams!');
    expect(pg.code, pg.output).toBe(0);
    const [, file] = /Created new file: (migrations\/postgres\/\d{14}_add_teams_\.sql)/.exec(pg.stdout) ?? [];
    expect(file, pg.stdout).toBeDefined();
    expect(await readFile(project.path(file!), 'utf8')).toBe("-- +goose Up\nSELECT 'up SQL query';\n\n-- +goose Down\nSELECT 'down SQL query';\n");
    const ch = await cli('create', 'add_events', '--target', 'clickhouse');
    expect(ch.code, ch.output).toBe(0);
    expect(ch.stdout).toMatch(/migrations\/clickhouse\/\d{14}_add_events\.sql/);
  });

  it('exits 2 on usage and connection errors, and never prints the password', async () => {
    expect((await cli('up', '--to', 'banana')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
    const unreachable = await runSchemasync(['status'], {
      cwd: project.root,
      env: { DATABASE_URL: 'postgres://someone:hunter2secret@127.0.0.1:1/nowhere', CLICKHOUSE_URL: '' },
    });
    expect(unreachable.code).toBe(2);
    expect(unreachable.output).toContain('127.0.0.1:1');
    expect(unreachable.output).not.toContain('hunter2secret');
  });

  it('--target is a global option as well as each command’s, for every command', async () => {
    const before = await cli('status', '--json', '--target', 'postgres');
    const global = await cli('--target', 'postgres', 'status', '--json');
    expect(global.code, global.output).toBe(0);
    expect(global.stdout).toBe(before.stdout);
    expect((await cli('--target', 'postgres', 'version')).code).toBe(0);
    expect((await cli('sync', '--target', 'postgres', '--types')).code).not.toBe(2);
  });

  it('a migrations folder that does not exist is a configuration problem: exit 2, said before connecting', async () => {
    const missing = await cli('status', '--dir', '/nonexistent');
    expect(missing.code, missing.output).toBe(2);
    expect(missing.output).toMatch(/postgres migrations folder \/nonexistent \(from --dir\) does not exist/);
    expect(missing.output).not.toMatch(/Missing file|PARSE/);
  });

  it('the ClickHouse-off notice is a row of status, and not said by other commands', async () => {
    const status = await cli('status');
    expect(status.stdout).toContain('ClickHouse target is off: CLICKHOUSE_URL is not set');
    const create = await cli('create', 'quiet');
    expect(create.output).not.toContain('ClickHouse');
    const version = await cli('version');
    expect(version.output).not.toContain('ClickHouse');
  });
});
