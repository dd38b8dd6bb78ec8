import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { clickhouseMissing, clickhouseQuery, clickhouseServerUrl, createTestClickHouseDatabase } from '../helpers/clickhouse.ts';
import { runSchemasync, startSchemasync } from '../helpers/daemon.ts';
import { describeWith } from '../helpers/require.ts';

// Migrations that name their database, as ClickHouse projects do (LangWatch: `${CLICKHOUSE_DATABASE}.t`).
const EVENTS = `-- +goose Up
-- +goose ENVSUB ON
CREATE TABLE IF NOT EXISTS \${APP_DB}.events (id UInt64) ENGINE = MergeTree ORDER BY id;
INSERT INTO \${APP_DB}.events VALUES (1);
-- +goose Down
DROP TABLE \${APP_DB}.events;
`;
const BACKFILL = `-- +goose Up
-- +goose ENVSUB ON
CREATE TABLE \${APP_DB}.daily (day Date, n UInt64) ENGINE = SummingMergeTree() ORDER BY day;
CREATE MATERIALIZED VIEW \${APP_DB}.daily_mv TO \${APP_DB}.daily AS SELECT toDate('2024-01-01') AS day, count() AS n FROM \${APP_DB}.events GROUP BY day;
INSERT INTO \${APP_DB}.daily SELECT toDate('2024-01-01') AS day, count() AS n FROM \${APP_DB}.events;
INSERT INTO \${APP_DB}.events SELECT number + 100 FROM numbers(3);
-- +goose Down
DROP TABLE \${APP_DB}.daily_mv;
DROP TABLE \${APP_DB}.daily;
`;
const SWAP = `-- +goose Up
-- +goose ENVSUB ON
CREATE TABLE \${APP_DB}.sessions (id UInt64) ENGINE = MergeTree ORDER BY id;
INSERT INTO \${APP_DB}.sessions SELECT number FROM numbers(5);
CREATE TABLE \${APP_DB}.sessions_v2 (id UInt64, kind String DEFAULT 'web') ENGINE = MergeTree ORDER BY id;
INSERT INTO \${APP_DB}.sessions_v2 (id) SELECT id FROM \${APP_DB}.sessions;
RENAME TABLE \${APP_DB}.sessions TO \${APP_DB}.sessions_old, \${APP_DB}.sessions_v2 TO \${APP_DB}.sessions;
TRUNCATE TABLE \${APP_DB}.sessions_old;
DROP TABLE \${APP_DB}.sessions_old;
-- +goose Down
DROP TABLE \${APP_DB}.sessions;
`;
const OTHER_DB = `-- +goose Up
CREATE TABLE copies (id UInt64) ENGINE = MergeTree ORDER BY id;

INSERT INTO other_db.t VALUES (7);
-- +goose Down
DROP TABLE copies;
`;
const EXCHANGE = `-- +goose Up
-- +goose ENVSUB ON
EXCHANGE TABLES \${APP_DB}.events AND other_db.t;
-- +goose Down
SELECT 1;
`;
const TABLE_FUNCTION = `-- +goose Up
-- +goose ENVSUB ON
INSERT INTO \${APP_DB}.events SELECT id FROM remote('127.0.0.1', other_db, t);
-- +goose Down
SELECT 1;
`;

describeWith('ClickHouse', clickhouseMissing(), 'the shadow check stays in its shadow database (ClickHouse)', () => {
  let root: string;
  let dir: string;
  let app: Awaited<ReturnType<typeof createTestClickHouseDatabase>>;
  let other: Awaited<ReturnType<typeof createTestClickHouseDatabase>>;
  const server = () => clickhouseServerUrl();
  const sql = (text: string) => clickhouseQuery(server(), text);
  // goose's table named with its database, as LangWatch's goose wrapper passes -table.
  const env = () => ({ CLICKHOUSE_URL: app.url, DATABASE_URL: '', APP_DB: app.database, GOOSE_TABLE: `${app.database}.goose_db_version` });
  const cli = (...args: string[]) => runSchemasync([...args, '--target', 'clickhouse'], { cwd: root, env: env() });
  const file = (name: string) => path.join(dir, name);
  const count = async (table: string) => Number((await sql(`SELECT count() FROM ${table} FORMAT TSV`)).trim());
  /** Tables, columns, row counts and goose's rows of the real database: what no shadow run may change. */
  const snapshot = async () => {
    const tables = await sql(`SELECT name, engine, create_table_query FROM system.tables WHERE database = '${app.database}' ORDER BY name FORMAT TSV`);
    const columns = await sql(
      `SELECT table, name, type, default_expression FROM system.columns WHERE database = '${app.database}' ORDER BY table, name FORMAT TSV`,
    );
    // Plain MergeTree tables only: a background merge changes count() of a Summing/Replacing one (and of schemasync's bookkeeping).
    const names = (
      await sql(
        `SELECT name FROM system.tables WHERE database = '${app.database}' AND engine = 'MergeTree' AND NOT startsWith(name, 'schemasync_') ORDER BY name FORMAT TSV`,
      )
    )
      .trim()
      .split('\n');
    const counts = await Promise.all(names.map(async (name) => `${name}=${await count(`${app.database}.${name}`)}`));
    const daily = (await sql(`SELECT sum(n) FROM ${app.database}.daily FORMAT TSV`)).trim();
    return { tables, columns, counts, daily, other: await count(`${other.database}.t`) };
  };

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'schemasync-shadow-bounds-'));
    dir = path.join(root, 'migrations', 'clickhouse');
    await mkdir(dir, { recursive: true });
    [app, other] = await Promise.all([createTestClickHouseDatabase(), createTestClickHouseDatabase()]);
    await sql(`CREATE TABLE ${other.database}.t (id UInt64) ENGINE = MergeTree ORDER BY id`);
    await sql(`INSERT INTO ${other.database}.t VALUES (42)`);
  });
  afterAll(async () => {
    await Promise.all([app?.drop(), other?.drop()]);
    await rm(root, { recursive: true, force: true });
  });

  it('${APP_DB}.events: one row after up and after two verifies; verify compares in the shadow and is in sync', async () => {
    await writeFile(file('00001_events.sql'), EVENTS);
    const up = await cli('up');
    expect(up.code, up.output).toBe(0);
    expect(await count(`${app.database}.events`)).toBe(1);
    for (let i = 0; i < 2; i += 1) {
      const verify = await cli('verify');
      expect(verify.code, verify.output).toBe(0);
      expect(verify.output).toContain('in sync');
      expect(await count(`${app.database}.events`)).toBe(1);
    }
    expect(await count(`${app.database}.goose_db_version`)).toBe(2);
  });

  it('backfills, a materialized view TO db.t, a table swap with TRUNCATE: verify, --rollback and a watch --shadow comparison leave the real database as it was', async () => {
    await writeFile(file('00002_backfill.sql'), BACKFILL);
    await writeFile(file('00003_swap.sql'), SWAP);
    const up = await cli('up');
    expect(up.code, up.output).toBe(0);
    const before = await snapshot();
    expect(before.counts).toEqual(['events=4', 'goose_db_version=4', 'sessions=5']);
    expect(before.daily).toBe('4');

    const verify = await cli('verify');
    expect(verify.code, verify.output).toBe(0);
    expect(await snapshot()).toEqual(before);
    const rollback = await cli('verify', '--rollback');
    expect(rollback.code, rollback.output).toBe(0);
    expect(await snapshot()).toEqual(before);

    const watch = startSchemasync(['watch', '--shadow', '--target', 'clickhouse'], { cwd: root, env: env() });
    try {
      await watch.waitFor((event) => event.event === 'run:end', 60_000, 'the first run');
      watch.child.kill('SIGUSR2');
      const end = await watch.waitFor((event) => event.event === 'drift:shadow-end', 60_000, 'the shadow comparison');
      expect(end.findings, watch.text()).toBe(0);
      expect(
        watch.events.some((event) => event.event === 'drift:unchecked'),
        watch.text(),
      ).toBe(false);
    } finally {
      await watch.stop();
    }
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    { name: '00004_other_db.sql', text: OTHER_DB, line: 4, what: 'other_db', applied: true },
    { name: '00004_exchange.sql', text: EXCHANGE, line: 3, what: 'other_db', applied: false },
    { name: '00004_remote.sql', text: TABLE_FUNCTION, line: 3, what: 'the table function remote', applied: false },
  ])(
    '$name: verify runs nothing in the shadow, names file:line and $what, exits 2; the other database is unchanged',
    async ({ name, text, line, what, applied }) => {
      const content = text.replaceAll('other_db', other.database);
      await writeFile(file(name), content);
      // The ClickHouse types the watch test generated would be stale after `up` alone: a finding of their own, not this test's.
      await rm(path.join(root, 'generated'), { recursive: true, force: true });
      try {
        if (applied) expect((await cli('up')).code).toBe(0);
        const before = await snapshot();
        // A pending file is run only by --rollback (it applies the rest before undoing everything);
        // 18.16 cannot apply these two, so they stay pending: that is verify's one finding (exit 1).
        const verify = await cli('verify', ...(applied ? [] : ['--rollback']));
        expect(verify.code, verify.output).toBe(applied ? 2 : 1);
        if (!applied) expect(verify.stdout).toMatch(/Pending migrations \(1\)[\s\S]*✖ drift: 1 finding, 1 check could not run/);
        const shown = what.replace('other_db', other.database);
        expect(verify.stdout).toContain(`migrations/clickhouse/${name}:${line} (up) names `);
        expect(verify.stdout).toContain(shown);
        expect(verify.stdout).not.toContain('in sync');
        expect(verify.stdout).not.toMatch(/schema:|Schema/);
        expect(await snapshot()).toEqual(before);
      } finally {
        if (applied) expect((await cli('down')).code).toBe(0);
        await unlink(file(name));
      }
    },
  );
});
