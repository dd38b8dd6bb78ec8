import { appendFile, writeFile } from 'node:fs/promises';

import { clickhouseTableSql, createTableSql, migrationName, nextVersion, seedRowsSql } from './migrations.ts';
import { outputsHave, SEED_TABLE, tableEverywhere, type SideEnv } from './pair.ts';
import { clickhouseQuery, type BenchServers } from './servers.ts';
import { baselineExitCodes } from './sides.ts';
import { pollUntil, sleep } from './stats.ts';

/** One measurement of one side in one round. `ms` undefined: never reflected (see `note`). */
export interface Sample {
  ms?: number;
  note?: string;
  /** Pipeline runs this change caused. */
  runs?: number;
  extra?: Record<string, unknown>;
}

const REFLECT_TIMEOUT_MS = 60_000;

/** Waits for the side to finish what the write caused; returns runs caused and time to the last run's end. */
async function settle(env: SideEnv, endedBefore: number, since: number): Promise<{ runs: number; idleMs?: number }> {
  const idleMs = await env.running.waitIdle({ minEnded: endedBefore + 1, since, timeoutMs: REFLECT_TIMEOUT_MS });
  return { runs: env.running.ended() - endedBefore, idleMs };
}

/** Steps that ran (status ok) in the schemasync runs that ended after `from`. */
function stepsThatRan(env: SideEnv, from: number): string[] {
  const ends = env.running.events.filter((e) => e.event === 'run:end').slice(from);
  return [...new Set(ends.flatMap((e) => (e.steps as Array<{ name: string; status: string }>).filter((s) => s.status === 'ok').map((s) => s.name)))];
}

/** A new migration adding a table: everything regenerates. Reflected when all four outputs have the table. */
export async function newTable(env: SideEnv, round: number): Promise<Sample> {
  const table = `bench_${env.name === 'baseline' ? 'b' : 's'}${round}`;
  const before = env.running.ended();
  const since = performance.now();
  await writeFile(env.project.path('migrations', 'postgres', migrationName(nextVersion(), `create_${table}`)), createTableSql(table));
  const ms = await pollUntil(() => tableEverywhere(env, table), { since, timeoutMs: REFLECT_TIMEOUT_MS });
  const { runs } = await settle(env, before, since);
  return { ms, runs, note: ms === undefined ? 'never reflected' : undefined, extra: { steps: runSteps(env, before) } };
}

/** schemasync: each step's status and time in the runs that ended after `from` (from run:end). */
function runSteps(env: SideEnv, from: number): unknown[] {
  return env.running.events
    .filter((e) => e.event === 'run:end')
    .slice(from)
    .map((e) => ({ durationMs: e.durationMs, steps: e.steps }));
}

/**
 * A comment edit of an applied migration: no output changes, so "reflected" is the program
 * being done with it: the end of the run it caused (schemasync's run:end, the baseline's end mark).
 */
export async function commentEdit(env: SideEnv, round: number): Promise<Sample> {
  const before = env.running.ended();
  const since = performance.now();
  await appendFile(env.project.path('migrations', 'postgres', '20250301090500_create_user_sessions.sql'), `-- bench comment ${round}\n`);
  const { runs, idleMs } = await settle(env, before, since);
  return { ms: idleMs, runs, note: idleMs === undefined ? 'never idle' : undefined };
}

/**
 * A migration that inserts seed rows: reflected once the goose version row is there and the
 * program is done with it (the baseline goes on pulling and regenerating after goose).
 */
export async function seedRows(env: SideEnv, round: number): Promise<Sample> {
  const version = nextVersion();
  const before = env.running.ended();
  const since = performance.now();
  await writeFile(env.project.path('migrations', 'postgres', migrationName(version, `seed_round_${round}`)), seedRowsSql(SEED_TABLE, `${env.name}-${round}`));
  const rowMs = await pollUntil(async () => (await env.db.query('SELECT 1 FROM goose_db_version WHERE version_id = $1', [version])).rowCount === 1, {
    since,
    timeoutMs: REFLECT_TIMEOUT_MS,
  });
  const { runs, idleMs } = await settle(env, before, since);
  const ms = rowMs === undefined || idleMs === undefined ? undefined : Math.max(rowMs, idleMs);
  return { ms, runs, note: ms === undefined ? 'never reflected' : undefined, extra: { versionRowMs: rowMs } };
}

/**
 * A ClickHouse-only migration: reflected when the table exists in the side's ClickHouse
 * database. For schemasync it also records which steps ran (the target: no prisma, no sqlc).
 */
export async function clickhouseOnly(env: SideEnv, round: number, servers: BenchServers): Promise<Sample> {
  const table = `bench_ch_${env.name === 'baseline' ? 'b' : 's'}${round}`;
  const before = env.running.ended();
  const since = performance.now();
  await writeFile(env.project.path('migrations', 'clickhouse', migrationName(nextVersion(), `create_${table}`)), clickhouseTableSql(table));
  const exists = async () => (await clickhouseQuery(servers.clickhouseUrl!, `EXISTS TABLE ${env.clickhouseDatabase}.${table}`)).trim() === '1';
  // The baseline's goose cannot record its version on ClickHouse 18.16: do not wait a minute for it.
  const ms = await pollUntil(exists, { since, timeoutMs: env.name === 'baseline' ? 15_000 : REFLECT_TIMEOUT_MS });
  const { runs, idleMs } = await settle(env, before, since);
  const ran = env.name === 'schemasync' ? stepsThatRan(env, before) : undefined;
  const failed = env.name === 'baseline' ? baselineExitCodes(env.project.root).at(-1) !== 0 : false;
  return {
    ms,
    runs,
    note:
      ms === undefined
        ? failed
          ? `fails: goose cannot write to this ClickHouse (run ended after ${Math.round(idleMs ?? 0)} ms, exit ≠ 0)`
          : 'never reflected'
        : undefined,
    extra: { stepsRan: ran, idleMs, baselineRunFailed: failed },
  };
}

/**
 * 20 saves of one new migration within a second (every 50 ms), each adding a column, as an
 * editor's autosave does while typing. Reflected when the last save's column is everywhere.
 */
export async function burst(env: SideEnv, round: number): Promise<Sample> {
  const table = `bench_burst_${env.name === 'baseline' ? 'b' : 's'}${round}`;
  const file = env.project.path('migrations', 'postgres', migrationName(nextVersion(), `create_${table}`));
  const before = env.running.ended();
  let since = 0;
  for (let save = 1; save <= 20; save++) {
    const columns = Array.from({ length: save }, (_, i) => `c${i + 1} integer`);
    since = performance.now();
    await writeFile(file, createTableSql(table, columns));
    if (save < 20) await sleep(50 - (performance.now() - since));
  }
  const inDatabase = async () =>
    (await env.db.query("SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = 'c20'", [table])).rowCount === 1;
  const ms = await pollUntil(async () => (await inDatabase()) && (await outputsHave(env, table, 'c20')), { since, timeoutMs: 30_000 });
  const { runs } = await settle(env, before, since);
  return { ms, runs, note: ms === undefined ? 'last save never reflected (a run applied an earlier save)' : undefined };
}

/** Start-up against a database and outputs already in sync: from launch to the end of the first run. */
export async function startupInSync(env: SideEnv): Promise<Sample> {
  const ms = await env.restart();
  return { ms, runs: 1, note: ms === undefined ? 'never idle' : undefined };
}
