import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { checkMigrations } from '../../daemon/drift/migrations.ts';
import { checkShadow } from '../../daemon/drift/shadow.ts';
import { silentLogger } from '../../daemon/log/types.ts';
import { migrateDown, migrateUp, type EngineContext } from '../../daemon/engine/index.ts';
import { createClickHouseTarget } from '../../daemon/targets/clickhouse/target.ts';
import type { Target } from '../../daemon/targets/target.ts';
import { clickhouseMissing, clickhouseQuery, clickhouseServerUrl, createTestClickHouseDatabase } from '../helpers/clickhouse.ts';
import { describeWith } from '../helpers/require.ts';

const EVENTS = `-- events: it's "raw", with a \\ backslash
-- +goose Up
CREATE TABLE events (id UInt64, kind String, ts DateTime) ENGINE = MergeTree() ORDER BY (ts, id);

-- +goose Down
DROP TABLE events;
`;
const DAILY = `-- +goose Up
CREATE TABLE daily (day Date, n UInt64) ENGINE = SummingMergeTree() ORDER BY day;

-- +goose Down
DROP TABLE daily;
`;

describeWith('ClickHouse', clickhouseMissing(), 'drift on ClickHouse: ledger and shadow', () => {
  let root: string;
  let dir: string;
  let database: Awaited<ReturnType<typeof createTestClickHouseDatabase>>;
  let target: Target;
  const ctx = (): EngineContext => ({ target, dir, projectRoot: root, env: {}, logger: silentLogger, allowMissing: false, lockTimeoutMs: 30_000 });
  const shadows = async () =>
    (await clickhouseQuery(clickhouseServerUrl(), `SELECT name FROM system.databases WHERE name LIKE 'schemasync\\\\_shadow\\\\_%'`)).trim();

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'schemasync-drift-ch-'));
    dir = path.join(root, 'migrations', 'clickhouse');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, '00001_events.sql'), EVENTS);
    await writeFile(path.join(dir, '00002_daily.sql'), DAILY);
    database = await createTestClickHouseDatabase();
    target = createClickHouseTarget(database.url, { logger: silentLogger });
  });
  afterAll(async () => {
    await target?.close();
    await database?.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('records applied migrations in schemasync_migrations (text with quotes intact) and forgets a rolled-back one', async () => {
    expect((await migrateUp(ctx())).error).toBeUndefined();
    expect((await target.ledger!.list()).map(({ version, text, appliedBy }) => ({ version, text, appliedBy }))).toEqual([
      { version: 1, text: EVENTS, appliedBy: 'schemasync' },
      { version: 2, text: DAILY, appliedBy: 'schemasync' },
    ]);
    expect((await migrateDown(ctx())).error).toBeUndefined();
    expect((await target.ledger!.list()).map((entry) => entry.version)).toEqual([1]);
    expect((await migrateUp(ctx())).error).toBeUndefined();
    expect((await target.ledger!.list()).map((entry) => entry.version)).toEqual([1, 2]);
    expect((await target.introspect()).some((entry) => entry.name.startsWith('schemasync_'))).toBe(false);
    expect(await checkMigrations(target, { dir, projectRoot: root })).toEqual({ findings: [], unchecked: [] });
  });

  it('finds a column added by hand through a shadow database, and is clean once it is dropped', async () => {
    expect(await checkShadow(target, { dir, projectRoot: root, env: {} })).toEqual({ findings: [], unchecked: [] });
    await clickhouseQuery(clickhouseServerUrl(), `ALTER TABLE ${database.database}.events ADD COLUMN source String`);
    const report = await checkShadow(target, { dir, projectRoot: root, env: {} });
    expect(report.findings.map((finding) => finding.message)).toEqual(['column events.source String exists in the database, but no migration creates it']);
    await clickhouseQuery(clickhouseServerUrl(), `ALTER TABLE ${database.database}.events DROP COLUMN source`);
    expect(await checkShadow(target, { dir, projectRoot: root, env: {} }, { rollback: true })).toEqual({ findings: [], unchecked: [] });
    expect(await shadows()).toBe('');
  });
});
