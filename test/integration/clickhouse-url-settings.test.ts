import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { clickhouseMissing, createTestClickHouseDatabase } from '../helpers/clickhouse.ts';
import { runSchemasync } from '../helpers/daemon.ts';
import { describeWith } from '../helpers/require.ts';

describeWith('ClickHouse', clickhouseMissing(), 'a setting in CLICKHOUSE_URL that the server does not know', () => {
  let root: string;
  let database: Awaited<ReturnType<typeof createTestClickHouseDatabase>>;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'schemasync-ch-settings-'));
    await mkdir(path.join(root, 'migrations', 'clickhouse'), { recursive: true });
    database = await createTestClickHouseDatabase();
  });
  afterAll(async () => {
    await database?.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('is a configuration problem of the URL, named with its value, not "cannot reach"', async () => {
    // A setting of current servers; 18.16 answers UNKNOWN_SETTING (115) to every query that carries it.
    const url = `${database.url}?allow_dimensions_outside_sorting_key=1`;
    for (const command of ['status', 'verify']) {
      const run = await runSchemasync([command, '--target', 'clickhouse'], { cwd: root, env: { CLICKHOUSE_URL: url, DATABASE_URL: '' } });
      expect(run.code, run.output).toBe(2);
      expect(run.output).toMatch(/sets allow_dimensions_outside_sorting_key, which the server does not know/);
      expect(run.output).toContain('allow_dimensions_outside_sorting_key=1');
      expect(run.output).not.toContain('cannot reach');
      expect(run.output).not.toContain(new URL(database.url).password);
    }
  });
});
