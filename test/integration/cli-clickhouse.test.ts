import { writeFile } from 'node:fs/promises';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { clickhouseMissing, clickhouseQuery, clickhouseServerUrl, createTestClickHouseDatabase } from '../helpers/clickhouse.ts';
import { runSchemasync } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { copyExampleProject, type TempProject } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';

const SECOND_FAILS = `-- +goose Up
CREATE TABLE sessions_by_day (day Date, sessions UInt64) ENGINE = MergeTree() ORDER BY day;
ALTER TABLE sessions_by_day ADD COLUMN broken NoSuchType;

-- +goose Down
DROP TABLE sessions_by_day;
`;

describeWith('PostgreSQL and ClickHouse', postgresMissing() ?? clickhouseMissing(), 'the command line with both targets', () => {
  let project: TempProject;
  let pg: Awaited<ReturnType<typeof createTestDatabase>>;
  let ch: Awaited<ReturnType<typeof createTestClickHouseDatabase>>;
  const cli = (...args: string[]) => runSchemasync(args, { cwd: project.root, env: { DATABASE_URL: pg.url, CLICKHOUSE_URL: ch.url } });
  const versionRows = async () =>
    (await clickhouseQuery(clickhouseServerUrl(), 'SELECT version_id FROM goose_db_version ORDER BY version_id FORMAT TSV', ch.database)).trim();

  beforeAll(async () => {
    project = await copyExampleProject();
    [pg, ch] = await Promise.all([createTestDatabase(), createTestClickHouseDatabase()]);
  });
  afterAll(async () => {
    await Promise.all([pg.drop(), ch.drop()]);
    await project.remove();
  });

  it('up applies both targets and status lists both, each row naming its target', async () => {
    const up = await cli('up');
    expect(up.code, up.output).toBe(0);
    const targets = new Set(up.events.filter((e) => e.event === 'migration:applied').map((e) => e.target));
    expect([...targets].sort()).toEqual(['clickhouse', 'postgres']);
    const rows = JSON.parse((await cli('status', '--json')).stdout) as Array<{ target: string; state: string }>;
    expect(new Set(rows.map((r) => r.target))).toEqual(new Set(['postgres', 'clickhouse']));
    expect(rows.every((r) => r.state === 'applied')).toBe(true);
    const table = (await cli('status')).stdout;
    expect(table).toMatch(/^postgres · /m);
    expect(table).toMatch(/^clickhouse · /m);
    expect(table).not.toContain(new URL(ch.url).password || 'never-matches');
    const clickhouseRows = JSON.parse((await cli('status', '--json', '--target', 'clickhouse')).stdout) as Array<{ target: string }>;
    expect(clickhouseRows.every((r) => r.target === 'clickhouse')).toBe(true);
  });

  it('a ClickHouse file whose second statement fails reports file and line, says the first stays applied, and leaves the version table', async () => {
    const before = await versionRows();
    await writeFile(project.path('migrations/clickhouse/20990101000000_sessions.sql'), SECOND_FAILS);
    const { code, events, output } = await cli('up', '--target', 'clickhouse');
    expect(code, output).toBe(1);
    const failure = events.find((e) => e.event === 'failure');
    expect(failure, output).toMatchObject({ target: 'clickhouse', file: 'migrations/clickhouse/20990101000000_sessions.sql', line: 3 });
    // Said once: ClickHouse's own explanation, not a second one after it.
    expect(String(failure?.msg)).toMatch(/statement 1 of 20990101000000_sessions\.sql \(up\) already ran and stay applied/);
    expect(String(failure?.msg)).not.toContain('STAY APPLIED');
    expect(await versionRows()).toBe(before);
    expect(await clickhouseQuery(clickhouseServerUrl(), `EXISTS TABLE sessions_by_day FORMAT TSV`, ch.database)).toBe('1\n');
  });

  it('down and redo on ClickHouse alone', async () => {
    await writeFile(project.path('migrations/clickhouse/20990101000000_sessions.sql'), SECOND_FAILS.replace(/ALTER TABLE .*\n/, ''));
    await clickhouseQuery(clickhouseServerUrl(), 'DROP TABLE sessions_by_day', ch.database);
    expect((await cli('up', '--target', 'clickhouse')).code).toBe(0);
    expect((await cli('redo', '--target', 'clickhouse')).code).toBe(0);
    const down = await cli('down', '--target', 'clickhouse');
    expect(down.code, down.output).toBe(0);
    expect(await versionRows()).not.toContain('20990101000000');
  });
});
