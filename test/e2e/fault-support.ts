/**
 * Shared pieces of the fault tests (test/e2e/fault-*.test.ts): a temp project whose prisma and
 * sqlc are the switchable fake tool (fast, and able to crash, hang or flood on demand), a daemon
 * watching it, the version table as the test sees it, the processes a daemon left behind, and a
 * secret scan.
 */
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';

import { startSchemasync, type DaemonProcess, type LogEvent } from '../helpers/daemon.ts';
import { createTestDatabase, withClient } from '../helpers/postgres.ts';
import { copyExampleProject, repoRoot, type TempProject } from '../helpers/project.ts';
import { pollUntil } from './watch-helpers.ts';

export const fakeTool = path.join(repoRoot, 'test', 'fixtures', 'bin', 'fake-tool.mjs');

export type FakeMode = 'ok' | 'crash' | 'hang' | 'hang-generate' | 'flood';

export interface FaultProject extends TempProject {
  /** Environment for schemasync: the fake sqlc, the mode file, no ClickHouse unless given. */
  env: Record<string, string | undefined>;
  /** Switches what the fake prisma and sqlc do on their next invocation. */
  setMode(mode: FakeMode): Promise<void>;
  /** Lines "<pid> <mode> <args>" of every fake tool invocation so far. */
  invocations(): Promise<string[]>;
  /** Writes migrations/postgres/<name> (and returns its path). */
  addMigration(name: string, text: string): Promise<string>;
}

/**
 * A temp copy of the example project, PostgreSQL only unless `extraEnv` names a CLICKHOUSE_URL, whose `prisma` (node_modules/prisma) and
 * `sqlc` (SQLC_BIN) are the fake tool. The project's node_modules is a real folder of symlinks
 * into the repository's, with prisma replaced.
 */
export async function faultProject(databaseUrl: string, extraEnv: Record<string, string | undefined> = {}): Promise<FaultProject> {
  // ClickHouse's migrations stay when the test gives a CLICKHOUSE_URL.
  const project = await copyExampleProject({ without: extraEnv.CLICKHOUSE_URL ? [] : ['migrations/clickhouse'] });
  const modules = project.path('node_modules');
  await rm(modules);
  await mkdir(modules);
  for (const entry of await readdir(path.join(repoRoot, 'node_modules'))) {
    if (entry === 'prisma' || entry === '.bin') continue;
    await symlink(path.join(repoRoot, 'node_modules', entry), path.join(modules, entry));
  }
  await mkdir(path.join(modules, 'prisma', 'build'), { recursive: true });
  await writeFile(path.join(modules, 'prisma', 'package.json'), JSON.stringify({ name: 'prisma', version: '0.0.0-fake', type: 'module' }));
  await cp(fakeTool, path.join(modules, 'prisma', 'build', 'index.js'));

  const modeFile = project.path('.fake-tool-mode');
  const logFile = project.path('.fake-tool-log');
  await writeFile(modeFile, 'ok');
  return {
    ...project,
    env: {
      DATABASE_URL: databaseUrl,
      CLICKHOUSE_URL: undefined,
      SQLC_BIN: fakeTool,
      FAKE_TOOL_MODE_FILE: modeFile,
      FAKE_TOOL_LOG: logFile,
      SCHEMASYNC_DEBOUNCE_MS: '100',
      ...extraEnv,
    },
    setMode: (mode) => writeFile(modeFile, mode),
    invocations: async () => (await readFile(logFile, 'utf8').catch(() => '')).split('\n').filter(Boolean),
    addMigration: async (name, text) => {
      const file = project.path('migrations', 'postgres', name);
      await writeFile(file, text);
      return file;
    },
  };
}

export type TestDatabase = Awaited<ReturnType<typeof createTestDatabase>>;

/**
 * Runs `body` with a new test database and a fault project on it (on `url(database)` when given,
 * with `env` as faultProject's extra environment), and removes both afterwards.
 */
export async function withFaultProject(
  body: (database: TestDatabase, project: FaultProject) => Promise<void>,
  options: { url?: (database: TestDatabase) => string; env?: Record<string, string | undefined> } = {},
): Promise<void> {
  const database = await createTestDatabase();
  const project = await faultProject(options.url ? options.url(database) : database.url, options.env);
  try {
    await body(database, project);
  } finally {
    await project.remove();
    await database.drop();
  }
}

/** `schemasync watch` in the project, with its environment. */
export function startWatch(project: FaultProject): DaemonProcess {
  return startSchemasync(['watch'], { cwd: project.root, env: project.env });
}

/** Waits for the daemon's first run to end (60 s at most) and, unless `expectOk` is false, expects it to have succeeded. */
export async function firstRun(daemon: DaemonProcess, expectOk = true): Promise<void> {
  const end = await daemon.waitFor((e) => e.event === 'run:end', 60_000, 'the first run');
  if (expectOk) expect(end, daemon.text()).toMatchObject({ ok: true });
}

/** What faultSuite sets up; its fields are set once the block's beforeAll has run. */
export interface FaultSuite {
  database: TestDatabase;
  project: FaultProject;
  daemon: DaemonProcess;
}

/**
 * One daemon for a whole describe block: registers a beforeAll that creates a test database and
 * a fault project on it (`extraEnv` as faultProject's), starts `schemasync watch` there and waits
 * for its first run (expected to succeed unless `firstRunOk` is false), and an afterAll that stops
 * the daemon and removes both.
 */
export function faultSuite(extraEnv: Record<string, string | undefined> = {}, options: { firstRunOk?: boolean } = {}): FaultSuite {
  const suite = {} as Partial<FaultSuite>;
  beforeAll(async () => {
    suite.database = await createTestDatabase();
    suite.project = await faultProject(suite.database.url, extraEnv);
    suite.daemon = startWatch(suite.project);
    await firstRun(suite.daemon, options.firstRunOk ?? true);
  });
  afterAll(async () => {
    await suite.daemon?.stop();
    await suite.project?.remove();
    await suite.database?.drop();
  });
  return suite as FaultSuite;
}

/** Waits until no run has started or been running for `quietMs`. */
export async function untilQuiet(daemon: DaemonProcess, quietMs: number): Promise<void> {
  for (;;) {
    const starts = daemon.events.filter((e) => e.event === 'run:start').length;
    await daemon.waitFor(() => daemon.runEnds().length >= starts, 30_000, 'the runs to finish');
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    if (daemon.events.filter((e) => e.event === 'run:start').length === starts) return;
  }
}

/** Waits for the run after the first `runsBefore` to end, and returns its run:end event. */
export async function nextRunEnd(daemon: DaemonProcess, runsBefore: number, description: string, timeoutMs = 30_000): Promise<LogEvent> {
  await daemon.waitFor(() => daemon.runEnds().length > runsBefore, timeoutMs, description);
  return daemon.runEnds()[runsBefore]!;
}

/** Waits until one of the runs after the first `runsBefore` has succeeded. */
export async function successfulRunAfter(daemon: DaemonProcess, runsBefore: number, timeoutMs: number): Promise<void> {
  await daemon.waitFor(
    () =>
      daemon
        .runEnds()
        .slice(runsBefore)
        .some((e) => e.ok === true),
    timeoutMs,
    'a successful run after the outage',
  );
}

/** Stops the daemon with SIGTERM, expects exit status 0, and expects every process it had (processFamily) gone. */
export async function stopCleanly(daemon: DaemonProcess): Promise<void> {
  const family = await processFamily(daemon.child.pid!);
  expect(await daemon.stop('SIGTERM')).toBe(0);
  await expectAllGone(family);
}

/** goose's version table, applied rows only, oldest first (what the test checks, not the code under test). */
export async function appliedVersions(url: string, table = 'goose_db_version'): Promise<number[]> {
  return withClient(url, async (client) => {
    if ((await client.query<{ oid: string | null }>('SELECT to_regclass($1) AS oid', [table])).rows[0]?.oid === null) return [];
    const result = await client.query<{ version_id: string }>(`SELECT version_id FROM ${table} WHERE is_applied AND version_id > 0 ORDER BY id`);
    return result.rows.map((row) => Number(row.version_id));
  });
}

export async function tableExists(url: string, name: string): Promise<boolean> {
  return withClient(url, async (client) => (await client.query<{ oid: string | null }>('SELECT to_regclass($1) AS oid', [name])).rows[0]?.oid !== null);
}

/** The one integer a `SELECT count(*)::int AS n …` returns. */
export async function countOf(url: string, sql: string, params: unknown[] = []): Promise<number> {
  return withClient(url, async (client) => (await client.query<{ n: number }>(sql, params)).rows[0]?.n ?? 0);
}

/** Waits until a session (of `database`, when given) runs pg_sleep: a migration is mid-transaction. */
export async function waitForSleep(url: string, database?: string): Promise<void> {
  await waitForQuery(url, '%pg_sleep%', database, 'a migration sleeping mid-transaction');
}

/** Waits until a session of `database` waits at the gate `key` (gatedMigration): a migration is mid-transaction. */
export async function waitAtGate(url: string, database: string, key: number): Promise<void> {
  await waitForQuery(url, `%pg_advisory_xact_lock(${key})%`, database, `a migration waiting at gate ${key}`);
}

/** Waits until another session (of `database`, when given) runs, or last ran, a query `LIKE like`. */
export async function waitForQuery(url: string, like: string, database: string | undefined, description: string): Promise<void> {
  const sql = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()${database ? ' AND datname = $2' : ''}`;
  await pollUntil(async () => ((await countOf(url, sql, database ? [like, database] : [like])) >= 1 ? true : undefined), 30_000, description);
}

/**
 * A closed gate (an advisory lock this test's session holds) that gatedMigration waits at inside
 * its transaction until `open`: where a sleep would race a loaded machine.
 */
export async function closedGate(url: string, key: number): Promise<{ open(): Promise<void> }> {
  const session = new pg.Client({ connectionString: url });
  await session.connect();
  await session.query('SELECT pg_advisory_lock($1)', [key]);
  let open: Promise<void> | undefined;
  // Ending the session releases its lock.
  return { open: () => (open ??= session.end()) };
}

/** No version appears twice: a migration was never applied twice. */
export function expectNoDuplicates(versions: number[]): void {
  expect(versions.filter((v, i) => versions.indexOf(v) !== i)).toEqual([]);
}

interface ProcStat {
  pid: number;
  ppid: number;
  pgid: number;
}

async function processTable(): Promise<ProcStat[]> {
  const rows: ProcStat[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    if (!stat) continue;
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses; split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    rows.push({ pid: Number(entry), ppid: Number(fields[1]), pgid: Number(fields[2]) });
  }
  return rows;
}

/**
 * `pid` and every process descending from it, plus the members of process groups led by one of
 * them (tools run in their own groups). Taken while the daemon runs: once it has exited, its
 * orphans belong to init and can no longer be traced back to it.
 */
export async function processFamily(pid: number): Promise<number[]> {
  const table = await processTable();
  const family = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const row of table) {
      if (!family.has(row.pid) && (family.has(row.ppid) || (row.pgid !== row.pid && family.has(row.pgid)))) {
        family.add(row.pid);
        grew = true;
      }
    }
  }
  return [...family];
}

/**
 * Every process of a family snapshot (processFamily), or of the pids `pids` reads each time, has
 * stopped within `timeoutMs`. Not expect.poll, nor anywhere in these helpers: it needs a current
 * test, which a test of a describe.concurrent loses whenever another ends first.
 */
export async function expectAllGone(pids: number[] | (() => Promise<number[]>), timeoutMs = 3_000): Promise<void> {
  const running = async () => alive(typeof pids === 'function' ? await pids() : pids);
  const stopped = await pollUntil(async () => ((await running()).length === 0 ? true : undefined), timeoutMs, 'every process to stop').catch(() => false);
  if (!stopped) expect(await running(), `processes still running ${timeoutMs} ms after the stop`).toEqual([]);
}

/** Every pid the fake tool reported (invocations and hanging grandchildren). */
export async function fakeToolPids(project: FaultProject): Promise<number[]> {
  const pids = (await project.invocations()).map((line) => Number(line.split(' ')[0]));
  const hung = (await readFile(`${project.env.FAKE_TOOL_LOG}.pids`, 'utf8').catch(() => '')).split(/\s+/).filter(Boolean).map(Number);
  return [...pids, ...hung];
}

/** Pids from `pids` that are still running (a zombie waiting to be reaped has stopped). */
export async function alive(pids: number[]): Promise<number[]> {
  const running: number[] = [];
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (stat && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') running.push(pid);
  }
  return running;
}

/** The password of a URL, to scan logs for. */
export function passwordOf(url: string): string {
  const password = decodeURIComponent(new URL(url).password);
  if (!password) throw new Error('the test database URL has no password to look for');
  return password;
}

/** No captured line (JSON events and raw output) contains `secret`. */
export function expectNoSecret(output: string | LogEvent[], secret: string): void {
  const text = typeof output === 'string' ? output : output.map((event) => JSON.stringify(event)).join('\n');
  const lines = text.split('\n').filter((line) => line.includes(secret));
  expect(lines, 'log lines leaking the database password').toEqual([]);
}

/** A migration whose Up waits inside its transaction until the gate `key` opens (closedGate). */
export function gatedMigration(table: string, key: number): string {
  return `-- +goose Up\nCREATE TABLE ${table} (id int);\nSELECT pg_advisory_xact_lock(${key});\nINSERT INTO ${table} VALUES (1);\n\n-- +goose Down\nDROP TABLE ${table};\n`;
}

/** A migration whose Up sleeps inside its transaction, so a test can interrupt it mid-apply. */
export function sleepingMigration(table: string, seconds: number): string {
  return `-- +goose Up\nCREATE TABLE ${table} (id int);\nSELECT pg_sleep(${seconds});\nINSERT INTO ${table} VALUES (1);\n\n-- +goose Down\nDROP TABLE ${table};\n`;
}
