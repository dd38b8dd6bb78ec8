import { spawn } from 'node:child_process';
import { once } from 'node:events';

import { runSchemasync } from '../../test/helpers/daemon.ts';
import { writeScaleMigrations } from './migrations.ts';
import { openSide, type SideEnv } from './pair.ts';
import { ownCpuMs, ownRssMb, treeCpuMs, treeRssMb } from './proc.ts';
import { commentEdit, newTable, startupInSync, type Sample } from './scenarios.ts';
import type { BenchServers } from './servers.ts';
import { GOOSE_BIN, type SideName } from './sides.ts';
import { sleep } from './stats.ts';

export interface IdleCost {
  /** CPU of the watcher's process tree while nothing changes, in % of one core. */
  cpuPercent: number;
  /** The whole process tree (schemasync: the daemon, its Prisma worker and the embedded server's processes if any). */
  rssMb: number;
  /** The watcher's own process alone. */
  ownRssMb: number;
}

/** Idle CPU of each side's process tree over the same `seconds`, and its resident memory at the end. */
export async function idleCost(envs: SideEnv[], seconds: number): Promise<Record<string, IdleCost>> {
  const before = envs.map((env) => treeCpuMs(env.running.pid));
  const started = performance.now();
  await sleep(seconds * 1000);
  const elapsed = performance.now() - started;
  return Object.fromEntries(
    envs.map((env, i) => [
      env.name,
      { cpuPercent: ((treeCpuMs(env.running.pid) - before[i]!) / elapsed) * 100, rssMb: treeRssMb(env.running.pid), ownRssMb: ownRssMb(env.running.pid) },
    ]),
  );
}

/** Runs `count` comment-edit runs, then reports the watcher's resident memory (once idle). */
export async function rssAfterRuns(env: SideEnv, count: number): Promise<{ runs: number; rssMb: number; ownRssMb: number }> {
  for (let round = 0; round < count; round++) await commentEdit(env, 1000 + round);
  return { runs: count, rssMb: treeRssMb(env.running.pid), ownRssMb: ownRssMb(env.running.pid) };
}

export interface ScaleSide {
  firstRunMs?: number;
  statusMs: number;
  startupInSync: Sample;
  newMigration: Sample;
  /** schemasync only: CPU time of its own process during the new-migration run, and the run's step times. */
  ownCpuMs?: number;
  runDurationMs?: number;
  steps?: Array<{ name: string; status: string; durationMs: number }>;
}

/** Wall time of a command run to completion (no shell). */
async function timeCommand(file: string, args: string[], options: { cwd: string; env: Record<string, string | undefined> }): Promise<number> {
  const started = performance.now();
  const child = spawn(file, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: 'ignore' });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${file} ${args.join(' ')} exited with ${code}`);
  return performance.now() - started;
}

/**
 * The scale scenario for one side: a project with `count` migrations (the example's, the seed
 * table, and generated tables, indexes and functions) on a fresh database. Start-up applies them
 * all (reported, not compared); then status, start-up in sync, and one new migration.
 */
export async function scaleSide(name: SideName, servers: BenchServers, count: number): Promise<ScaleSide> {
  const env = await openSide(name, servers, {
    prepare: (project) => writeScaleMigrations(project.path('migrations', 'postgres'), count - 7),
    startTimeoutMs: 20 * 60_000,
  });
  try {
    const statusMs =
      name === 'schemasync'
        ? await timeSchemasyncStatus(env)
        : await timeCommand(GOOSE_BIN, ['-dir', 'migrations/postgres', 'postgres', env.targets.databaseUrl, 'status'], { cwd: env.project.root, env: {} });
    const startup = await startupInSync(env);
    const endsBefore = env.running.ended();
    const cpuBefore = name === 'schemasync' ? ownCpuMs(env.running.pid) : undefined;
    const added = await newTable(env, 1);
    const result: ScaleSide = { firstRunMs: env.firstRunMs, statusMs, startupInSync: startup, newMigration: added };
    if (cpuBefore !== undefined) {
      result.ownCpuMs = ownCpuMs(env.running.pid) - cpuBefore;
      const end = env.running.events.filter((e) => e.event === 'run:end')[endsBefore];
      result.runDurationMs = end?.durationMs as number | undefined;
      result.steps = end?.steps as ScaleSide['steps'];
    }
    return result;
  } finally {
    await env.close();
  }
}

async function timeSchemasyncStatus(env: SideEnv): Promise<number> {
  const started = performance.now();
  const result = await runSchemasync(['status'], { cwd: env.project.root, env: { DATABASE_URL: env.targets.databaseUrl } });
  if (result.code !== 0) throw new Error(`schemasync status exited with ${result.code}:\n${result.output.slice(-2000)}`);
  return performance.now() - started;
}
