/**
 * The runners people start `schemasync watch` through (npm, npx, concurrently, a shell), run for
 * real in a copy of the example project: each in a process group of its own, its output followed,
 * and what it leaves behind (processes, database sessions, the daemon's lock file) looked up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

import type { LogEvent } from '../helpers/daemon.ts';
import { countOf, fakeTool, processFamily } from './fault-support.ts';
import { copyExampleProject, repoRoot, type TempProject } from '../helpers/project.ts';

export interface RunnerProject extends TempProject {
  env: NodeJS.ProcessEnv;
}

/**
 * A copy of the example project (PostgreSQL only, the real Prisma with its warm worker, the fake
 * sqlc) whose node_modules is a folder of links into the repository's, plus `schemasync` itself
 * as npm would install it (node_modules/schemasync, node_modules/.bin/schemasync), and `bin/` as
 * the example's `npm start` script expects it.
 */
export async function runnerProject(databaseUrl: string): Promise<RunnerProject> {
  const project = await copyExampleProject({ without: ['migrations/clickhouse'] });
  const modules = project.path('node_modules');
  await rm(modules);
  await mkdir(path.join(modules, '.bin'), { recursive: true });
  for (const entry of await readdir(path.join(repoRoot, 'node_modules'))) {
    if (entry !== '.bin') await symlink(path.join(repoRoot, 'node_modules', entry), path.join(modules, entry));
  }
  await symlink(repoRoot, path.join(modules, 'schemasync'), 'dir');
  await symlink(path.join(repoRoot, 'bin', 'schemasync.js'), path.join(modules, '.bin', 'schemasync'));
  await symlink(path.join(repoRoot, 'bin'), project.path('bin'), 'dir');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    CLICKHOUSE_URL: '',
    SQLC_BIN: fakeTool,
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'debug',
    SCHEMASYNC_DEBOUNCE_MS: '100',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
  };
  for (const name of ['SCHEMASYNC_PORT', 'GOOSE_DBSTRING', 'GOOSE_DRIVER', 'FORCE_COLOR', 'NO_COLOR']) delete env[name];
  return { ...project, env };
}

export interface Runner {
  child: ChildProcess;
  /** The daemon's JSON log lines so far. */
  events: LogEvent[];
  output(): string;
  /** Resolves once the runner's output has ended and every line of it was read. */
  closed: Promise<unknown>;
}

/** Starts `file args` in the project as the leader of a new process group, following its output. */
export function startRunner(project: RunnerProject, file: string, args: string[]): Runner {
  const child = spawn(file, args, { cwd: project.root, env: project.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const events: LogEvent[] = [];
  const lines: string[] = [];
  const onLine = (line: string) => {
    lines.push(line);
    // concurrently prefixes each line with `[name] `.
    const json = line.slice(Math.max(0, line.indexOf('{')));
    try {
      events.push(JSON.parse(json) as LogEvent);
    } catch {
      // npm's banner and the like.
    }
  };
  const streams = [child.stdout, child.stderr].map((input) => {
    const reader = createInterface({ input }).on('line', onLine);
    return once(reader, 'close');
  });
  return { child, events, output: () => lines.join('\n'), closed: Promise.all(streams) };
}

interface ProcRow {
  pid: number;
  pgid: number;
  state: string;
}

async function processes(): Promise<ProcRow[]> {
  const rows: ProcRow[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    if (!stat) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    rows.push({ pid: Number(entry), state: fields[0]!, pgid: Number(fields[2]) });
  }
  return rows;
}

/** Running (not zombie) members of process group `pgid`. */
export async function groupMembers(pgid: number): Promise<number[]> {
  return (await processes()).filter((row) => row.pgid === pgid && row.state !== 'Z').map((row) => row.pid);
}

/** The runner's group and the daemon's whole family (its tools and worker run in groups of their own). */
export async function everythingOf(runner: Runner, daemonPid: number): Promise<number[]> {
  return [...new Set([...(await groupMembers(runner.child.pid!)), ...(await processFamily(daemonPid))])];
}

/** Sessions on the test database other than the asking one. */
export function sessionsOn(url: string, database: string): Promise<number> {
  return countOf(url, 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
}

/** The daemon lock files left in the project's .schemasync/. */
export async function lockFiles(project: TempProject): Promise<string[]> {
  return (await readdir(project.path('.schemasync')).catch(() => [] as string[])).filter((name) => name.startsWith('watch-'));
}
