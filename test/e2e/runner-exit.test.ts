import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { describe, expect, it } from 'vitest';

import { STDIN_GRACE_MS } from '../../daemon/app/runner-watch.ts';
import { schemasyncBin, type LogEvent } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { repoRoot } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { prismaMissing } from '../helpers/tools.ts';
import { alive, expectAllGone, processFamily, withFaultProject } from './fault-support.ts';
import { everythingOf, groupMembers, lockFiles, runnerProject, sessionsOn, startRunner, type Runner, type RunnerProject } from './runner-support.ts';

// Issue 20: the daemon lives and dies with whatever started it. npm, npx and sh do not pass a
// SIGTERM on to their child: only the wrapper (the leader of its own process group) gets it, and
// within 5 s nothing of the group or of the daemon's family is left, no session on the database,
// no lock file.

const npm = 'npm';
const npx = 'npx';
const concurrentlyBin = path.join(repoRoot, 'node_modules', 'concurrently', 'dist', 'bin', 'concurrently.js');

interface Case {
  name: string;
  start: (project: RunnerProject) => Runner;
  /** How the runner is stopped, once the daemon has synced. */
  stop: (runner: Runner) => void;
  /** The daemon's reason to stop, as its shutdown:start event gives it (any one of them). */
  cause: Array<Record<string, string>>;
}

const sigtermToWrapper = (runner: Runner) => process.kill(runner.child.pid!, 'SIGTERM');

const cases: Case[] = [
  { name: 'npm start', start: (p) => startRunner(p, npm, ['start']), stop: sigtermToWrapper, cause: [{ reason: 'runner' }] },
  {
    name: 'npx schemasync watch',
    start: (p) => startRunner(p, npx, ['--no-install', 'schemasync', 'watch']),
    stop: sigtermToWrapper,
    cause: [{ reason: 'runner' }],
  },
  {
    name: "sh -c 'node bin/schemasync.js watch; echo done'",
    start: (p) => startRunner(p, 'sh', ['-c', `${JSON.stringify(process.execPath)} bin/schemasync.js watch; echo done`]),
    stop: sigtermToWrapper,
    cause: [{ reason: 'runner' }],
  },
  {
    // The other command (say, next dev) exits: --kill-others stops the daemon with a SIGTERM.
    name: 'concurrently --kill-others, the other command exiting',
    start: (p) =>
      startRunner(p, process.execPath, [
        concurrentlyBin,
        '--kill-others',
        '--names',
        'db,app',
        `${JSON.stringify(process.execPath)} bin/schemasync.js watch`,
        `${JSON.stringify(process.execPath)} ${appScript}`,
      ]),
    stop: (runner) => void signalApp(runner),
    // concurrently kills the daemon's `sh -c` wrapper and the daemon together (tree-kill): on a busy
    // machine the daemon may see its parent gone before the SIGTERM arrives. Both are the same stop.
    cause: [{ signal: 'SIGTERM' }, { reason: 'runner' }],
  },
  {
    // A terminal's Ctrl-C: SIGINT to the whole foreground group.
    name: 'concurrently, Ctrl-C',
    start: (p) => startRunner(p, process.execPath, [concurrentlyBin, '--names', 'db', `${JSON.stringify(process.execPath)} bin/schemasync.js watch`]),
    stop: (runner) => process.kill(-runner.child.pid!, 'SIGINT'),
    cause: [{ signal: 'SIGINT' }],
  },
];

/** The `app` command of the --kill-others case: runs until SIGUSR2, then exits 1. */
const appScript = path.join(repoRoot, 'test', 'fixtures', 'bin', 'until-usr2.mjs');

async function signalApp(runner: Runner): Promise<void> {
  for (const pid of await groupMembers(runner.child.pid!)) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    // Not concurrently itself, whose arguments name the script too.
    if (cmdline.split('\0')[1] === appScript) process.kill(pid, 'SIGUSR2');
  }
}

describeWith('PostgreSQL and prisma', postgresMissing() ?? prismaMissing, 'the daemon stops with its runner, leaving nothing behind (e2e)', () => {
  describe.concurrent('runners', () => {
    it.for(cases)('$name', { timeout: 180_000 }, async ({ start, stop, cause }, { expect }) => {
      const database = await createTestDatabase();
      const project = await runnerProject(database.url);
      const runner = start(project);
      try {
        await expect
          .poll(() => runner.events.find((e) => e.event === 'run:end'), { timeout: 120_000, interval: 200 })
          .toBeTruthy()
          .catch((error: Error) => Promise.reject(new Error(`${error.message}\n${runner.output()}`)));
        expect(
          runner.events.find((e) => e.event === 'run:end'),
          runner.output(),
        ).toMatchObject({ ok: true });
        const daemonPid = Number(runner.events.find((e) => e.event === 'startup:summary')?.pid);
        expect(daemonPid).toBeGreaterThan(0);
        // The daemon, its warm Prisma worker and its reaper, at least.
        const everything = await everythingOf(runner, daemonPid);
        expect(everything.length, runner.output()).toBeGreaterThanOrEqual(3);
        expect(await lockFiles(project)).toHaveLength(1);

        stop(runner);
        await expect.poll(() => alive(everything), { timeout: 5_000, interval: 100 }).toEqual([]);
        expect(await groupMembers(runner.child.pid!)).toEqual([]);
        expect(await sessionsOn(database.url, database.name)).toBe(0);
        expect(await lockFiles(project)).toEqual([]);
        await runner.closed;
        const stopping = runner.events.filter((e) => e.event === 'shutdown:start');
        expect(stopping, runner.output()).toHaveLength(1);
        const event = stopping[0]!;
        expect(
          cause.some((one) => Object.entries(one).every(([key, value]) => event[key] === value)),
          `stopped by ${JSON.stringify(event)}, expected one of ${JSON.stringify(cause)}`,
        ).toBe(true);
        if (event.reason === 'runner') expect(event.msg).toBe('runner exited: stopping');
        expect(
          runner.events.some((e) => e.event === 'shutdown:end'),
          runner.output(),
        ).toBe(true);
      } finally {
        if ((await groupMembers(runner.child.pid!)).length > 0) process.kill(-runner.child.pid!, 'SIGKILL');
        await project.remove();
        await database.drop();
      }
    });
  });

  it('a runner that stays but closes the stdin pipe it gave the daemon (an IDE stopping it): the same clean stop', async () => {
    await withFaultProject(async (database, project) => {
      const child = spawn(process.execPath, [schemasyncBin, 'watch', '--log-format', 'json'], {
        cwd: project.root,
        env: { ...process.env, ...project.env, LOG_LEVEL: 'debug' },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const events: LogEvent[] = [];
      createInterface({ input: child.stdout }).on('line', (line) => events.push(JSON.parse(line) as LogEvent));
      const exited = once(child, 'exit');
      try {
        await expect.poll(() => events.some((e) => e.event === 'run:end'), { timeout: 60_000, interval: 200 }).toBe(true);
        // Past start-up: an end of stdin now is the runner letting go.
        await new Promise((resolve) => setTimeout(resolve, STDIN_GRACE_MS));
        const family = await processFamily(child.pid!);
        child.stdin.end();
        const [code] = (await exited) as [number | null];
        expect(code).toBe(0);
        expect(events.filter((e) => e.event === 'shutdown:start').map((e) => e.msg)).toEqual(['runner exited: stopping']);
        await expectAllGone(family);
        expect(await sessionsOn(database.url, database.name)).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  }, 120_000);

  it('a runner stopped while the daemon is still starting: the daemon stops too once started', async () => {
    await withFaultProject(async (database, project) => {
      const runner = startRunner({ ...project, env: { ...process.env, ...project.env, LOG_FORMAT: 'json' } }, 'sh', [
        '-c',
        `${JSON.stringify(process.execPath)} ${JSON.stringify(schemasyncBin)} watch; echo done`,
      ]);
      try {
        // The daemon has begun its start-up (its first line), far from its first run.
        await expect.poll(() => runner.events.length, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(1);
        process.kill(runner.child.pid!, 'SIGTERM');
        await expect.poll(() => groupMembers(runner.child.pid!), { timeout: 60_000, interval: 200 }).toEqual([]);
        await runner.closed;
        expect(
          runner.events.filter((e) => e.event === 'shutdown:start').map((e) => e.msg),
          runner.output(),
        ).toEqual(['runner exited: stopping']);
        expect(await sessionsOn(database.url, database.name)).toBe(0);
        expect(await lockFiles(project)).toEqual([]);
      } finally {
        if ((await groupMembers(runner.child.pid!)).length > 0) process.kill(-runner.child.pid!, 'SIGKILL');
      }
    });
  }, 120_000);
});
