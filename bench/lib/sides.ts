import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

import { startSchemasync, type LogEvent } from '../../test/helpers/daemon.ts';
import { repoRoot } from '../../test/helpers/project.ts';
import { pollUntil, sleep } from './stats.ts';

export type SideName = 'baseline' | 'schemasync';

/** The databases one side works on. */
export interface SideTargets {
  databaseUrl: string;
  /** schemasync: CLICKHOUSE_URL (with database); baseline: goose's clickhouse DSN. */
  clickhouse?: { url: string; gooseDsn: string };
}

/** A running watcher (either side), seen from outside: its pid and how many runs it started and ended. */
export interface RunningSide {
  name: SideName;
  pid: number;
  started(): number;
  ended(): number;
  /** schemasync's JSON log (empty for the baseline). */
  events: LogEvent[];
  /**
   * Waits until at least `minEnded` runs have ended and none is in progress, then for `settleMs`
   * more without a new run (a write of the run's own output may start another one). Resolves with
   * the time from `since` to the end of the last run, or undefined after `timeoutMs`.
   */
  waitIdle(options: { minEnded: number; since: number; timeoutMs?: number; settleMs?: number }): Promise<number | undefined>;
  stop(): Promise<void>;
}

export const GOOSE_BIN = process.env.GOOSE_BIN ?? path.join(homedir(), 'go', 'bin', 'goose');
export const SQLC_BIN = process.env.SQLC_BIN ?? path.join(homedir(), 'go', 'bin', 'sqlc');
/** Both sides wait this long after the last change (schemasync's default debounce). */
export const DEBOUNCE_MS = 150;

/** The environment of either side: this one minus anything that would point it elsewhere. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(DATABASE_URL|CLICKHOUSE_URL|GOOSE_|SCHEMASYNC_|LOG_)/.test(key)) env[key] = value;
  }
  return env;
}

/** Tracks when runs end, on the performance.now() clock, so idle times can be read back. */
class RunClock {
  private endTimes: number[] = [];
  private lastSeen = 0;
  constructor(private readonly count: () => number) {}
  /** Call often: stamps runs that ended since the last call. */
  observe(): void {
    const now = this.count();
    while (this.lastSeen < now) {
      this.endTimes.push(performance.now());
      this.lastSeen++;
    }
  }
  lastEnd(): number | undefined {
    return this.endTimes.at(-1);
  }
}

async function waitIdleWith(
  side: Pick<RunningSide, 'started' | 'ended'>,
  clock: RunClock,
  options: { minEnded: number; since: number; timeoutMs?: number; settleMs?: number },
): Promise<number | undefined> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const settleMs = options.settleMs ?? 400;
  const idle = () => {
    clock.observe();
    return side.ended() >= options.minEnded && side.started() === side.ended();
  };
  for (;;) {
    const reached = await pollUntil(idle, { since: options.since, timeoutMs, everyMs: 10 });
    if (reached === undefined) return undefined;
    const endedBefore = side.ended();
    await sleep(settleMs);
    clock.observe();
    if (side.started() === side.ended() && side.ended() === endedBefore) return (clock.lastEnd() ?? performance.now()) - options.since;
  }
}

/** `schemasync watch` with JSON logs, as a real process. */
export function startSchemasyncSide(root: string, targets: SideTargets, extraEnv: Record<string, string> = {}): Promise<RunningSide> {
  const env: Record<string, string> = {
    ...baseEnv(),
    DATABASE_URL: targets.databaseUrl,
    SQLC_BIN,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    SCHEMASYNC_DEBOUNCE_MS: String(DEBOUNCE_MS),
    ...extraEnv,
  };
  if (targets.clickhouse) env.CLICKHOUSE_URL = targets.clickhouse.url;
  const daemon = startSchemasync(['watch'], { cwd: root, env });
  // The helper merges process.env back in: make sure nothing inherited overrides the side's own set.
  const side: Omit<RunningSide, 'waitIdle'> = {
    name: 'schemasync',
    pid: daemon.child.pid!,
    events: daemon.events,
    started: () => daemon.events.filter((e) => e.event === 'run:start').length,
    ended: () => daemon.events.filter((e) => e.event === 'run:end').length,
    stop: async () => {
      const code = await daemon.stop('SIGTERM');
      if (code !== 0) throw new Error(`schemasync exited with ${code}; log:\n${daemon.text().slice(-3000)}`);
    },
  };
  const clock = new RunClock(side.ended);
  void daemon.exited.then((code) => {
    if (code !== 0 && code !== null) process.stderr.write(`schemasync (pid ${side.pid}) exited with ${code}:\n${daemon.text().slice(-3000)}\n`);
  });
  return Promise.resolve({ ...side, waitIdle: (options) => waitIdleWith(side, clock, options) });
}

/**
 * The baseline: chokidar-cli (its own chokidar 3) watching the migrations and queries, running
 * bench/baseline/naive-loop.sh through its shell on every change, debounced by 150 ms like
 * schemasync (chokidar-cli's default would be 400 ms). `initial` runs the loop once at start.
 */
export async function startBaselineSide(root: string, targets: SideTargets, options: { initial: boolean }): Promise<RunningSide> {
  const marks = path.join(root, '.bench-marks');
  const env: Record<string, string> = {
    ...baseEnv(),
    SHELL: '/bin/sh',
    BENCH_MARKS: marks,
    GOOSE_BIN,
    SQLC_BIN,
    GOOSE_DRIVER: 'postgres',
    GOOSE_DBSTRING: targets.databaseUrl,
    DATABASE_URL: targets.databaseUrl,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  };
  if (targets.clickhouse) env.BENCH_CLICKHOUSE_DSN = targets.clickhouse.gooseDsn;
  const cli = path.join(repoRoot, 'node_modules', 'chokidar-cli', 'index.js');
  const loop = path.join(repoRoot, 'bench', 'baseline', 'naive-loop.sh');
  const args = [
    cli,
    'migrations/**/*.sql',
    'queries/**/*.sql',
    'sqlc.yaml',
    '--command',
    `sh ${loop}`,
    '--debounce',
    String(DEBOUNCE_MS),
    '--silent',
    ...(options.initial ? ['--initial'] : []),
  ];
  const lines = () => {
    try {
      return readFileSync(marks, 'utf8').split('\n');
    } catch {
      return [];
    }
  };
  const earlier = lines().filter((l) => l !== '').length;
  // Its own process group, so stopping it also stops a loop still running.
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-8000)));
  // The marks file outlives a restart: count only this process's runs, as schemasync's side does.
  const own = () => lines().slice(earlier);
  const side: Omit<RunningSide, 'waitIdle'> = {
    name: 'baseline',
    pid: child.pid!,
    events: [],
    started: () => own().filter((l) => l === 'start').length,
    ended: () => own().filter((l) => l.startsWith('end')).length,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    },
  };
  const clock = new RunClock(side.ended);
  // chokidar-cli says nothing when ready (--silent): give its initial scan time before the first write.
  await sleep(options.initial ? 0 : 1000);
  return {
    ...side,
    waitIdle: (o) => waitIdleWith(side, clock, o),
    // For failure messages.
    toString: () => stderr,
  } as RunningSide;
}

/** Exit codes of the baseline's runs so far (from its marks file). */
export function baselineExitCodes(root: string): number[] {
  try {
    return readFileSync(path.join(root, '.bench-marks'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('end '))
      .map((l) => Number(l.slice(4)));
  } catch {
    return [];
  }
}
