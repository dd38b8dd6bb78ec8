import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { schemasyncBin } from '../helpers/daemon.ts';
import { postgresMissing } from '../helpers/postgres.ts';
import { repoRoot } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { appliedVersions, sleepingMigration, startWatch, tableExists, waitForSleep, withFaultProject } from './fault-support.ts';

// Issue 12: next to `next dev`. One Ctrl-C through a runner (the terminal and concurrently both
// send SIGINT) is one graceful stop, and the log read through the runner's pipe is pretty.

const SLEEPING = '20260301000000_runner_sleep.sql';
const VERSION = 20260301000000;
const concurrentlyBin = path.join(repoRoot, 'node_modules', 'concurrently', 'dist', 'bin', 'concurrently.js');

describeWith('PostgreSQL', postgresMissing(), 'runner signals: one Ctrl-C, delivered twice', () => {
  describe.concurrent('cases', () => {
    it('two SIGINTs 50 ms apart during a migration: one graceful stop, exit 0, the migration rolled back', async () => {
      await withFaultProject(async (database, project) => {
        await project.addMigration(SLEEPING, sleepingMigration('runner_sleep', 60));
        const daemon = startWatch(project);
        await waitForSleep(database.url, database.name);
        daemon.child.kill('SIGINT');
        await new Promise((resolve) => setTimeout(resolve, 50));
        daemon.child.kill('SIGINT');
        const code = await daemon.exited;
        expect(code, daemon.text()).toBe(0);
        expect(daemon.events.some((e) => e.event === 'shutdown:forced')).toBe(false);
        expect(daemon.events.filter((e) => e.event === 'shutdown:start')).toHaveLength(1);
        expect(daemon.events.some((e) => e.event === 'shutdown:end')).toBe(true);
        expect(await tableExists(database.url, 'runner_sleep')).toBe(false);
        expect(await appliedVersions(database.url)).not.toContain(VERSION);
      });
    });

    it('under concurrently, Ctrl-C to the process group stops gracefully and the piped log is pretty, without colour', async () => {
      await withFaultProject(async (database, project) => {
        await project.addMigration(SLEEPING, sleepingMigration('runner_sleep', 60));
        // As a terminal's Ctrl-C does: SIGINT to the whole foreground process group, which
        // concurrently then forwards to its children a second time.
        const runner = spawn(
          process.execPath,
          [concurrentlyBin, '--names', 'db', `${JSON.stringify(process.execPath)} ${JSON.stringify(schemasyncBin)} watch`],
          {
            cwd: project.root,
            env: { ...process.env, ...project.env, LOG_FORMAT: undefined, FORCE_COLOR: undefined, NO_COLOR: undefined },
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true,
          },
        );
        let output = '';
        runner.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        runner.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        const exited = once(runner, 'exit');
        try {
          await waitForSleep(database.url, database.name);
          process.kill(-runner.pid!, 'SIGINT');
          const [code] = (await exited) as [number | null];
          expect(code, output).toBe(0);
        } finally {
          if (runner.exitCode === null) process.kill(-runner.pid!, 'SIGKILL');
        }
        const daemonLines = output.split('\n').filter((line) => line.startsWith('[db] '));
        expect(daemonLines.length, output).toBeGreaterThan(3);
        // Pretty: `[db] [12:00:00.000] INFO: …`, no JSON, no escape codes.
        expect(
          daemonLines.filter((line) => line.startsWith('[db] {')),
          output,
        ).toEqual([]);
        expect(output).not.toContain('\u001b[');
        expect(output).toMatch(/INFO: SIGINT received: shutting down/);
        expect(output).toMatch(/INFO: stopped/);
        expect(output).not.toContain('exiting now');
        expect(await tableExists(database.url, 'runner_sleep')).toBe(false);
        expect(await appliedVersions(database.url)).not.toContain(VERSION);
      });
    });
  });
});
