import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { clickhouseMissing, clickhouseQuery, clickhouseServerUrl, createTestClickHouseDatabase } from '../helpers/clickhouse.ts';
import { startSchemasync, type DaemonProcess } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { copyExampleProject, type TempProject } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { assertRunsNeverOverlap, nextRun, stepStatuses, triggeredBy } from './watch-helpers.ts';

/**
 * One `schemasync watch` process on a temporary copy of the example project, against the test
 * PostgreSQL and ClickHouse, with real file events, prisma and sqlc. The scenarios run in order
 * on the same daemon, as a developer's session would.
 */

const missing = postgresMissing() ?? clickhouseMissing();

describeWith('PostgreSQL and ClickHouse', missing, 'schemasync watch (e2e)', () => {
  let project: TempProject;
  let daemon: DaemonProcess;
  let databaseUrl: string;
  let clickhouseDatabase: string;
  let healthPort: number;
  const cleanups: Array<() => Promise<void>> = [];

  const health = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${healthPort}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const tables = () =>
    withClient(databaseUrl, async (client) =>
      (await client.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).rows.map(
        (r) => r.name,
      ),
    );
  const versionRows = () =>
    withClient(databaseUrl, async (client) => (await client.query(`SELECT version_id, is_applied FROM goose_db_version ORDER BY id`)).rows as unknown[]);

  beforeAll(async () => {
    const database = await createTestDatabase();
    const clickhouse = await createTestClickHouseDatabase();
    project = await copyExampleProject();
    cleanups.push(
      () => database.drop(),
      () => clickhouse.drop(),
      () => project.remove(),
    );
    databaseUrl = database.url;
    clickhouseDatabase = clickhouse.database;
    // A debounce above the default, so that a shared CI machine stalling the test's own saves for a
    // moment does not split the burst below into three runs.
    daemon = startSchemasync(['watch', '--port', '0', '--debounce', '400'], {
      cwd: project.root,
      env: { DATABASE_URL: database.url, CLICKHOUSE_URL: clickhouse.url },
    });
    healthPort = Number((await daemon.waitFor((e) => e.event === 'server:listening', 30_000, 'the health server')).port);
  });

  afterAll(async () => {
    if (daemon) {
      const code = await daemon.stop('SIGTERM');
      expect(code, daemon.text()).toBe(0);
      // Over the whole session: one run at a time, always.
      assertRunsNeverOverlap(daemon.events);
    }
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('syncs everything at start-up and reports healthy', async () => {
    const { end } = await nextRun(daemon, 0);
    expect(end.ok, daemon.text()).toBe(true);
    expect(stepStatuses(end)).toMatchObject({
      'validate:postgres': 'ok',
      'validate:clickhouse': 'ok',
      'apply:postgres': 'ok',
      'apply:clickhouse': 'ok',
      prisma: 'ok',
      sqlc: 'ok',
    });
    expect(await tables()).toContain('api_keys');
    expect(await health('/healthz')).toEqual({ status: 200, body: { ok: true } });
    const status = await health('/status');
    expect(status.body).toMatchObject({ state: 'idle', lastRun: { ok: true } });
    expect(status.body.targets).toEqual([
      expect.objectContaining({ name: 'postgres', currentVersion: 20250301090500 }),
      expect.objectContaining({ name: 'clickhouse', currentVersion: 20250101100100 }),
    ]);
  });

  it('turns a new migration into a table, a Prisma model and client, and a sqlc struct', async () => {
    const from = daemon.events.length;
    const file = 'migrations/postgres/20250401000000_create_teams.sql';
    await writeFile(
      project.path(file),
      '-- +goose Up\nCREATE TABLE teams (\n  id bigserial PRIMARY KEY,\n  name text NOT NULL\n);\n\n-- +goose Down\nDROP TABLE teams;\n',
    );
    const { end } = await nextRun(daemon, from, triggeredBy(file));

    // Exactly the documented shape: {event, ok, durationMs, steps: [{name, status, durationMs}]} (plus pino's fields).
    expect(end).toMatchObject({ event: 'run:end', ok: true });
    expect(typeof end.durationMs).toBe('number');
    for (const step of end.steps as Array<Record<string, unknown>>) {
      expect(Object.keys(step)).toEqual(['name', 'status', 'durationMs']);
      expect(['ok', 'skipped', 'failed']).toContain(step.status);
      expect(typeof step.durationMs).toBe('number');
    }
    expect(stepStatuses(end)).toMatchObject({
      'validate:postgres': 'ok',
      'validate:clickhouse': 'skipped',
      'apply:postgres': 'ok',
      'apply:clickhouse': 'skipped',
      prisma: 'ok',
      sqlc: 'ok',
    });

    expect(await tables()).toContain('teams');
    expect(await readFile(project.path('prisma/schema.prisma'), 'utf8')).toMatch(/^model teams \{/m);
    expect(existsSync(project.path('generated/prisma/models/teams.ts'))).toBe(true);
    expect(await readFile(project.path('server/internal/database/generated/models.go'), 'utf8')).toMatch(/^type Team struct \{/m);
    // Each step logged its end with its duration.
    const stepEnds = daemon.events.slice(from).filter((e) => e.event === 'step:end' && e.run === end.run);
    expect(stepEnds.map((e) => e.step)).toEqual(expect.arrayContaining(['validate:postgres', 'apply:postgres', 'prisma', 'sqlc']));
    for (const e of stepEnds) expect(e.durationMs).toEqual(expect.any(Number));
  });

  it('applies a migration that only inserts rows without running Prisma or sqlc (the schema did not change)', async () => {
    const from = daemon.events.length;
    const file = 'migrations/postgres/20250401000100_seed_teams.sql';
    await writeFile(project.path(file), "-- +goose Up\nINSERT INTO teams (name) VALUES ('core');\n\n-- +goose Down\nDELETE FROM teams WHERE name = 'core';\n");
    const { end } = await nextRun(daemon, from, triggeredBy(file));
    expect(end.ok, daemon.text()).toBe(true);
    expect(stepStatuses(end)).toMatchObject({ 'apply:postgres': 'ok', prisma: 'skipped', sqlc: 'skipped' });
  });

  it('runs neither Prisma nor sqlc for a ClickHouse-only change', async () => {
    const from = daemon.events.length;
    const file = 'migrations/clickhouse/20250402000000_create_page_views.sql';
    await writeFile(
      project.path(file),
      '-- +goose Up\nCREATE TABLE page_views (project_id UInt64, at DateTime) ENGINE = MergeTree() ORDER BY (project_id, at);\n\n-- +goose Down\nDROP TABLE page_views;\n',
    );
    const { end } = await nextRun(daemon, from, triggeredBy(file));
    expect(end.ok, daemon.text()).toBe(true);
    expect(stepStatuses(end)).toMatchObject({
      'validate:postgres': 'skipped',
      'validate:clickhouse': 'ok',
      'apply:postgres': 'skipped',
      'apply:clickhouse': 'ok',
      prisma: 'skipped',
      sqlc: 'skipped',
    });
    expect((await clickhouseQuery(clickhouseServerUrl(), `EXISTS TABLE ${clickhouseDatabase}.page_views`)).trim()).toBe('1');
    // No tool ran at all: no prisma or sqlc step started in that run.
    expect(daemon.events.filter((e) => e.run === end.run && e.event === 'step:start').map((e) => e.step)).not.toContain('prisma');
  });

  it('turns a burst of 30 saves into at most two runs, one at a time, that end on the last save', async () => {
    const from = daemon.events.length;
    const file = 'queries/burst.sql';
    const started = Date.now();
    for (let save = 1; save <= 30; save++) {
      await writeFile(project.path(file), `-- name: BurstSave${save} :one\nSELECT ${save}::int AS save;\n`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const lastSave = Date.now();
    expect(lastSave - started).toBeLessThan(1500);

    // Wait for the run that saw the last save (it started after it), then count the burst's runs.
    const { start, end } = await nextRun(daemon, from, (e) => triggeredBy(file)(e) && Date.parse(String(e.time)) >= lastSave);
    const burstRuns = daemon.events.slice(from).filter((e) => e.event === 'run:start' && triggeredBy(file)(e));
    expect(burstRuns.length, daemon.text()).toBeLessThanOrEqual(2);
    expect(burstRuns.at(-1)).toBe(start);
    expect(end.ok, daemon.text()).toBe(true);
    expect(stepStatuses(end)).toMatchObject({ sqlc: 'ok', prisma: 'skipped' });
    // No save lost: the generated code is that of the last one.
    const generated = await readFile(project.path('server/internal/database/generated/burst.sql.go'), 'utf8');
    expect(generated).toContain('func (q *Queries) BurstSave30(');
    expect(generated).not.toContain('BurstSave29');
    assertRunsNeverOverlap(daemon.events);
  });

  it('fails a broken migration with file, line and code frame, changes nothing, keeps running, then syncs the fix', async () => {
    const tablesBefore = await tables();
    const versionsBefore = await versionRows();
    const from = daemon.events.length;
    const file = 'migrations/postgres/20250403000000_create_widgets.sql';
    const broken = [
      '-- +goose Up',
      'CREATE TABLE widgets (id bigserial PRIMARY KEY);',
      'ALTER TABLE widgets ADD COLUMN label text;',
      "INSERT INTO widgets (lable) VALUES ('first');",
      '',
      '-- +goose Down',
      'DROP TABLE widgets;',
      '',
    ].join('\n');
    await writeFile(project.path(file), broken);
    const failed = await nextRun(daemon, from, triggeredBy(file));
    expect(failed.end.ok).toBe(false);
    expect(stepStatuses(failed.end)).toMatchObject({ 'validate:postgres': 'ok', 'apply:postgres': 'failed', prisma: 'skipped', sqlc: 'skipped' });

    const failures = daemon.events.slice(from).filter((e) => e.event === 'failure');
    expect(failures, 'the failure is logged once').toHaveLength(1);
    expect(failures[0]).toMatchObject({ code: 'MIGRATION', line: 4, column: 22, serverCode: '42703' });
    expect(String(failures[0]!.file)).toContain('20250403000000_create_widgets.sql');
    expect(String(failures[0]!.msg)).toContain(`${file}:4:22`);
    expect(String(failures[0]!.frame)).toMatch(/> 4 \| INSERT INTO widgets \(lable\)/);

    expect(await tables()).toEqual(tablesBefore);
    expect(await versionRows()).toEqual(versionsBefore);
    expect((await health('/healthz')).status).toBe(503);
    expect(daemon.child.exitCode).toBeNull();

    const fixFrom = daemon.events.length;
    await writeFile(project.path(file), broken.replace('(lable)', '(label)'));
    const fixed = await nextRun(daemon, fixFrom, triggeredBy(file));
    expect(fixed.end.ok, daemon.text()).toBe(true);
    expect(stepStatuses(fixed.end)).toMatchObject({ 'apply:postgres': 'ok', prisma: 'ok', sqlc: 'ok' });
    expect(await tables()).toContain('widgets');
    expect(await withClient(databaseUrl, async (client) => (await client.query<{ label: string }>('SELECT label FROM widgets')).rows)).toEqual([
      { label: 'first' },
    ]);
    expect(await health('/healthz')).toEqual({ status: 200, body: { ok: true } });
    expect((await health('/status')).body.targets).toContainEqual(expect.objectContaining({ name: 'postgres', currentVersion: 20250403000000 }));
  });
});
