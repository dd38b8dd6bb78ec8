import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, expect, it } from 'vitest';

import { silentLogger } from '../../daemon/log/types.ts';
import { startEmbeddedPostgres } from '../../daemon/targets/postgres/embedded.ts';
import { runSchemasync, startSchemasync, type DaemonProcess } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { copyExampleProject } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { descendantsOf, freePort, nextRun, pollUntil, stillAlive, stepStatuses, type ProcessId } from './watch-helpers.ts';

/**
 * The daemon's life around its runs: shutting down in the middle of one, waiting for a database
 * that is not there yet, and `schemasync sync`'s exit status. PostgreSQL only (the ClickHouse
 * target is off), each scenario on its own project copy and database.
 */

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A project copy and a fresh database, removed after the test. ClickHouse is off. */
async function setUp() {
  const database = await createTestDatabase();
  const project = await copyExampleProject({ without: ['migrations/clickhouse'] });
  cleanups.push(
    () => database.drop(),
    () => project.remove(),
  );
  return { database, project, env: { DATABASE_URL: database.url, CLICKHOUSE_URL: '' } };
}

function track(daemon: DaemonProcess): DaemonProcess {
  cleanups.push(async () => void (await daemon.stop('SIGKILL')));
  return daemon;
}

/** Sends SIGTERM and returns the exit code and how long the exit took. */
async function terminate(daemon: DaemonProcess): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  const code = await daemon.stop('SIGTERM', 10_000);
  return { code, ms: Date.now() - started };
}

describeWith('PostgreSQL', postgresMissing(), 'schemasync watch: shutdown, waiting, sync (e2e)', () => {
  it('exits 0 on SIGTERM while prisma runs, leaving no child process behind', async () => {
    const { project, env } = await setUp();
    const daemon = track(startSchemasync(['watch'], { cwd: project.root, env }));
    await daemon.waitFor((e) => e.event === 'step:start' && e.step === 'prisma', 45_000, 'the prisma step to start');
    const pid = daemon.child.pid!;
    // The prisma CLI is a node child of the daemon: catch it while it runs.
    const children = await pollUntil(
      () => {
        const found = descendantsOf(pid);
        return found.some((p) => p.command.includes('prisma')) ? found : undefined;
      },
      15_000,
      'a prisma child process',
    );

    const { code, ms } = await terminate(daemon);
    expect(code, daemon.text()).toBe(0);
    expect(ms).toBeLessThan(5_000);
    const survivors = await pollUntil(
      () => {
        const alive = children.filter(stillAlive);
        return alive.length === 0 ? alive : undefined;
      },
      2_000,
      'the children to be gone',
    ).catch(() => children.filter(stillAlive));
    expect(survivors.map((p: ProcessId) => p.command)).toEqual([]);
    expect(daemon.events.some((e) => e.event === 'shutdown:end')).toBe(true);
  });

  it('exits 0 on SIGTERM during a slow migration and leaves it unapplied, its transaction rolled back', async () => {
    const { project, database, env } = await setUp();
    const slow = '20250501000000_slow.sql';
    await writeFile(
      project.path('migrations/postgres', slow),
      '-- +goose Up\nCREATE TABLE slow_marker (id int);\nSELECT pg_sleep(30);\n\n-- +goose Down\nDROP TABLE slow_marker;\n',
    );
    const daemon = track(startSchemasync(['watch'], { cwd: project.root, env }));
    const sleeping = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()`;
    const sleepers = () => withClient(database.url, async (client) => (await client.query<{ n: number }>(sleeping, [database.name])).rows[0]!.n);
    await pollUntil(async () => ((await sleepers()) > 0 ? true : undefined), 30_000, 'the slow migration to run');

    const { code, ms } = await terminate(daemon);
    expect(code, daemon.text()).toBe(0);
    expect(ms).toBeLessThan(5_000);

    // The statement was cancelled on the server, not left sleeping in an open transaction.
    await pollUntil(async () => ((await sleepers()) === 0 ? true : undefined), 5_000, 'the server to stop the slow statement');
    await withClient(database.url, async (client) => {
      const versions = (await client.query<{ v: string }>('SELECT version_id::text AS v FROM goose_db_version')).rows.map((r) => r.v);
      expect(versions).toContain('20250301090500');
      expect(versions).not.toContain('20250501000000');
      expect((await client.query(`SELECT to_regclass('public.slow_marker') AS t`)).rows[0]).toEqual({ t: null });
    });
  });

  it('waits for an absent database with one log line, password hidden, then syncs once it appears', async () => {
    const { project } = await setUp();
    const port = await freePort();
    const password = 'e2e-Secret-Passw0rd';
    const databaseUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    const daemon = track(startSchemasync(['watch'], { cwd: project.root, env: { DATABASE_URL: databaseUrl, CLICKHOUSE_URL: '' } }));

    const waiting = await daemon.waitFor((e) => e.event === 'db:wait', 30_000, 'the waiting line');
    expect(waiting.msg).toMatch(new RegExp(`^waiting for postgres at .*127\\.0\\.0\\.1:${port}`));
    expect(String(waiting.msg)).toMatch(/\*{3}|password hidden|redacted/);

    // A dedicated server on that very port, with that password (the embedded server reads it from server.json).
    const dataDir = await mkdtemp(path.join(tmpdir(), 'schemasync-e2e-pg-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    await writeFile(path.join(dataDir, 'server.json'), JSON.stringify({ password, port }), { mode: 0o600 });
    const server = await startEmbeddedPostgres({ dataDir, logger: silentLogger, port });
    cleanups.push(() => server.stop());

    const { end } = await nextRun(daemon, 0, () => true, 60_000);
    expect(end.ok, daemon.text()).toBe(true);
    expect(
      daemon.events.filter((e) => e.event === 'db:wait'),
      'waiting is logged once',
    ).toHaveLength(1);
    expect(daemon.events.some((e) => e.event === 'db:ready')).toBe(true);
    expect(await terminate(daemon)).toMatchObject({ code: 0 });
    expect(daemon.text()).not.toContain(password);
  });

  it('sync exits 0 when every step succeeds and 1 when one fails', async () => {
    const { project, env } = await setUp();
    const good = await runSchemasync(['sync'], { cwd: project.root, env });
    expect(good.code, good.output).toBe(0);
    const goodEnd = good.events.find((e) => e.event === 'run:end')!;
    expect(stepStatuses(goodEnd)).toMatchObject({ 'validate:postgres': 'ok', 'apply:postgres': 'ok', prisma: 'ok', sqlc: 'ok' });

    await writeFile(project.path('migrations/postgres/20250601000000_broken.sql'), '-- +goose Up\nCREATE TABLE nope (id int REFERENCES missing_table (id));\n');
    const bad = await runSchemasync(['sync'], { cwd: project.root, env });
    expect(bad.code, bad.output).toBe(1);
    expect(stepStatuses(bad.events.find((e) => e.event === 'run:end')!)).toMatchObject({ 'apply:postgres': 'failed' });
    expect(bad.output).toContain('20250601000000_broken.sql:2');
  });
});
