import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { runSchemasync } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import { goose, gooseMissing } from '../helpers/tools.ts';

const run = promisify(execFile);
const sql = (table: string) => `-- +goose Up\nCREATE TABLE ${table} (id int);\n-- +goose Down\nDROP TABLE ${table};\n`;

// goose's stock binary cannot run a Go migration it was not built with: it applies the SQL
// files before it, then stops naming the file. schemasync must do the same, never skip it.
describeWith('PostgreSQL and goose', postgresMissing() ?? gooseMissing, 'a folder with a Go migration', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  const cli = (...args: string[]) => runSchemasync([...args, '--dir', dir], { cwd: dir, env: { DATABASE_URL: database.url, CLICKHOUSE_URL: '' } });
  const versions = () =>
    withClient(database.url, async (client) =>
      (await client.query<{ v: string }>('SELECT version_id AS v FROM goose_db_version ORDER BY id')).rows.map((r) => Number(r.v)),
    );
  const gooseStatus = async () => {
    const { GOOSE_DRIVER: _driver, GOOSE_DBSTRING: _dbstring, ...env } = process.env;
    const { stderr, stdout } = await run(goose!, ['-dir', dir, 'postgres', database.url, 'status'], { env });
    return `${stdout}${stderr}`;
  };

  beforeEach(async () => {
    database = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'schemasync-go-'));
    await writeFile(join(dir, '00001_a.sql'), sql('a'));
    await writeFile(join(dir, '00002_b.go'), 'package migrations\n');
    await writeFile(join(dir, '00002_b_test.go'), 'package migrations\n');
    await writeFile(join(dir, '00003_c.sql'), sql('c'));
  });
  afterEach(async () => {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('up applies 00001, stops naming 00002_b.go; status lists it pending as goose does', async () => {
    const up = await cli('up');
    expect(up.code, up.output).toBe(1);
    const failure = up.events.find((e) => e.event === 'failure');
    expect(String(failure?.msg), up.output).toContain('00002_b.go is a Go migration');
    expect(String(failure?.msg)).toContain("project's own goose build");
    expect(await versions()).toEqual([0, 1]);

    const goose = await gooseStatus();
    expect(goose).toMatch(/Pending\s+-- 00002_b\.go/);
    expect(goose).toMatch(/Pending\s+-- 00003_c\.sql/);

    const status = await cli('status', '--json');
    const rows = JSON.parse(status.stdout) as Array<{ file: string; state: string }>;
    expect(rows.map((r) => [r.file, r.state])).toEqual([
      ['00001_a.sql', 'applied'],
      ['00002_b.go', 'pending'],
      ['00003_c.sql', 'pending'],
    ]);
  });

  it('down and redo stop at a Go migration that is the current version', async () => {
    // As if the project's own goose build had run it.
    expect((await cli('up')).code).toBe(1);
    await withClient(database.url, (client) => client.query('INSERT INTO goose_db_version (version_id, is_applied) VALUES (2, true)'));
    for (const command of ['down', 'redo']) {
      const result = await cli(command);
      expect(result.code, result.output).toBe(1);
      expect(String(result.events.find((e) => e.event === 'failure')?.msg)).toContain('00002_b.go is a Go migration');
    }
    expect(await versions()).toEqual([0, 1, 2]);
    // Past it, up continues with the SQL files after it.
    expect((await cli('up')).code).toBe(0);
    expect(await versions()).toEqual([0, 1, 2, 3]);
    // verify: the Go file is no missing file, and the shadow (which cannot run it) is skipped, not drift.
    const verify = await cli('verify', '--json');
    const report = JSON.parse(verify.stdout) as { findings: Array<{ kind: string }>; unchecked: Array<{ reason: string; skipped?: boolean }> };
    expect(report.findings, verify.output).toEqual([]);
    expect(report.unchecked.some((u) => u.skipped && u.reason.includes('00002_b.go is a Go migration'))).toBe(true);
  });
});
