import { readdir } from 'node:fs/promises';

import { describe, it } from 'vitest';

import { startSchemasync } from '../helpers/daemon.ts';
import { postgresMissing } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import { firstRun, nextRunEnd, startWatch, withFaultProject, type FaultProject } from './fault-support.ts';

// Issue 20: two daemons never fight. A second `schemasync watch` in the same project on the same
// database exits 2 with one line naming the first, which carries on; --replace stops the first and
// takes its place; a lock left by a SIGKILLed daemon is taken over.

const migration = (table: string) => `-- +goose Up\nCREATE TABLE ${table} (id int);\n-- +goose Down\nDROP TABLE ${table};\n`;

async function lockFiles(project: FaultProject): Promise<string[]> {
  return (await readdir(project.path('.schemasync')).catch(() => [] as string[])).filter((name) => name.startsWith('watch-'));
}

describeWith('PostgreSQL', postgresMissing(), 'one daemon per project and database (e2e)', () => {
  describe.concurrent('cases', () => {
    it('a second watch exits 2 naming the first, which carries on; --replace takes over', async ({ expect }) => {
      await withFaultProject(async (_database, project) => {
        const first = startWatch(project);
        // Started together, either could win the lock: the second starts once the first runs.
        await firstRun(first);
        const second = startWatch(project);
        const replacing = { daemon: undefined as ReturnType<typeof startWatch> | undefined };
        try {
          expect(await second.exited, second.text()).toBe(2);
          const errors = second.events.filter((e) => e.level >= 50);
          expect(errors, second.text()).toHaveLength(1);
          expect(errors[0]!.msg).toBe(
            `schemasync watch is already running for this project and database (pid ${first.child.pid}): stop it, or start this one with --replace`,
          );
          // Nothing opened: no start-up summary, no run.
          expect(second.events.some((e) => e.event === 'startup:summary')).toBe(false);

          // The first is unaffected: it still follows the folder.
          await project.addMigration('20260401000000_lock_first.sql', migration('lock_first'));
          expect(await nextRunEnd(first, 1, 'the run for the new file', 30_000), first.text()).toMatchObject({ ok: true });

          replacing.daemon = startSchemasync(['watch', '--replace'], { cwd: project.root, env: project.env });
          await replacing.daemon.waitFor((e) => e.event === 'lock:replace', 30_000, 'the replace line');
          expect(await first.exited, first.text()).toBe(0);
          expect(first.events.some((e) => e.event === 'shutdown:end')).toBe(true);
          await firstRun(replacing.daemon);
          expect(await lockFiles(project)).toHaveLength(1);
        } finally {
          await Promise.all([first.stop(), second.stop(), replacing.daemon?.stop()]);
        }
        expect(await lockFiles(project)).toEqual([]);
      });
    });

    it('a lock left by a SIGKILLed daemon is taken over', async ({ expect }) => {
      await withFaultProject(async (_database, project) => {
        const killed = startWatch(project);
        await firstRun(killed);
        expect(await killed.stop('SIGKILL')).toBeNull();
        expect(await lockFiles(project)).toHaveLength(1);
        const next = startWatch(project);
        try {
          await firstRun(next);
        } finally {
          expect(await next.stop()).toBe(0);
        }
        expect(await lockFiles(project)).toEqual([]);
      });
    });

    it('the same project on another database is another daemon', async ({ expect }) => {
      await withFaultProject(async (database, project) => {
        const one = startWatch(project);
        // The same server, another database name: a URL the second daemon only has to wait for.
        const other = new URL(database.url);
        other.pathname = '/schemasync_lock_elsewhere';
        const two = startSchemasync(['watch'], { cwd: project.root, env: { ...project.env, DATABASE_URL: other.toString() } });
        try {
          await firstRun(one);
          await two.waitFor((e) => e.event === 'startup:summary', 30_000, 'the second daemon to start');
          expect(two.child.exitCode).toBeNull();
          expect(await lockFiles(project)).toHaveLength(2);
        } finally {
          await Promise.all([one.stop(), two.stop()]);
        }
      });
    });
  });
});
