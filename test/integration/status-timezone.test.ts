import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { runSchemasync } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';

// goose's tstamp is a timestamp without time zone: read in the client's zone, one row moved by
// five hours between TZ=UTC and TZ=America/New_York.
describeWith('PostgreSQL', postgresMissing(), 'status --json and the client time zone', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  const status = async (tz: string) => {
    const result = await runSchemasync(['status', '--json', '--dir', dir], { cwd: dir, env: { DATABASE_URL: database.url, CLICKHOUSE_URL: '', TZ: tz } });
    expect(result.code, result.output).toBe(0);
    return (JSON.parse(result.stdout) as Array<{ appliedAt: string | null }>)[0]?.appliedAt;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'schemasync-tz-'));
    await writeFile(join(dir, '00001_a.sql'), '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n');
    expect((await runSchemasync(['up', '--dir', dir], { cwd: dir, env: { DATABASE_URL: database.url, CLICKHOUSE_URL: '' } })).code).toBe(0);
  });
  afterAll(async () => {
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('gives the same appliedAt under TZ=UTC and TZ=America/New_York, and it is the time it was applied', async () => {
    const utc = await status('UTC');
    const newYork = await status('America/New_York');
    expect(utc).toBeTypeOf('string');
    expect(newYork).toBe(utc);
    expect(Math.abs(Date.parse(utc!) - Date.now())).toBeLessThan(10 * 60_000);
  });
});
