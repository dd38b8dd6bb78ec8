import { spawnSync } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import { goose, gooseMissing } from '../helpers/tools.ts';
import {
  alive,
  appliedVersions,
  countOf,
  expectAllGone,
  expectNoDuplicates,
  expectNoSecret,
  fakeToolPids,
  faultProject,
  startWatch,
  passwordOf,
  processFamily,
  sleepingMigration,
  tableExists,
  waitForSleep,
  withFaultProject,
} from './fault-support.ts';

// Issue 7, cases 3 and 4: the daemon SIGKILLed mid-apply, then restarted; two daemons on one
// database; a daemon beside the goose CLI. The PostgreSQL advisory lock lives and dies with its
// session, a migration commits whole or not at all, and no version is ever recorded twice.

const SLEEPING = '20260301000000_fault_kill_sleep.sql';
const SLEEPING_VERSION = 20260301000000;

describeWith('PostgreSQL', postgresMissing(), 'fault: SIGKILL mid-apply, and two runners on one database', () => {
  describe.concurrent('cases', () => {
    it('SIGKILL mid-apply: the migration is not half-applied, the lock does not outlive the process, and a restart applies it once', async () => {
      await withFaultProject(async (database, project) => {
        await project.addMigration(SLEEPING, sleepingMigration('fault_kill_sleep', 4));
        const first = startWatch(project);
        await waitForSleep(database.url, database.name);
        const pid = first.child.pid!;
        const family = await processFamily(pid);
        expect(await first.stop('SIGKILL')).toBeNull();
        await expectAllGone(family);
        // Nothing of the interrupted migration is visible: its transaction never committed.
        expect(await tableExists(database.url, 'fault_kill_sleep')).toBe(false);
        expect(await appliedVersions(database.url)).not.toContain(SLEEPING_VERSION);

        const second = startWatch(project);
        try {
          const end = await second.waitFor((e) => e.event === 'run:end', 60_000, 'the restart run');
          expect(end, second.text()).toMatchObject({ ok: true });
          const versions = await appliedVersions(database.url);
          expect(versions).toContain(SLEEPING_VERSION);
          expectNoDuplicates(versions);
          // The whole migration, once: its one INSERT ran once.
          expect(await countOf(database.url, 'SELECT count(*)::int AS n FROM fault_kill_sleep')).toBe(1);
        } finally {
          await second.stop();
        }
        expectNoSecret(first.text() + second.text(), passwordOf(database.url));
      });
    });

    it('SIGKILL during prisma generate (the CLI, hanging with a child of its own): no prisma process outlives the daemon', async () => {
      await withFaultProject(async (_database, project) => {
        await project.setMode('hang-generate');
        const daemon = startWatch(project);
        // generate started and spawned its grandchild.
        await expect
          .poll(async () => (await project.invocations()).some((line) => / generate/.test(line)) && (await fakeToolPids(project)).length >= 3, {
            timeout: 30_000,
            interval: 100,
          })
          .toBe(true);
        const family = await processFamily(daemon.child.pid!);
        const prisma = await fakeToolPids(project);
        expect(await alive(prisma)).not.toEqual([]);
        expect(await daemon.stop('SIGKILL')).toBeNull();
        // No exit hook runs on SIGKILL: the reaper ends the tool's group (TERM, then KILL after 1 s).
        await expectAllGone(family);
        expect(await alive(prisma)).toEqual([]);
      });
    });

    it('two daemons on one database: the second waits, names the lock holder, and nothing is applied twice', async () => {
      const database = await createTestDatabase();
      const one = await faultProject(database.url);
      const two = await faultProject(database.url);
      try {
        for (const project of [one, two]) await project.addMigration(SLEEPING, sleepingMigration('fault_kill_sleep', 3));
        const first = startWatch(one);
        await waitForSleep(database.url, database.name);
        const second = startWatch(two);
        try {
          const wait = await second.waitFor((e) => e.event === 'lock:wait', 30_000, 'the second daemon to wait for the lock');
          expect(wait.msg).toMatch(/held by pid \d+ \(schemasync/);
          for (const daemon of [first, second]) {
            expect(await daemon.waitFor((e) => e.event === 'run:end', 60_000, 'the first run'), daemon.text()).toMatchObject({ ok: true });
          }
          // The second found everything applied: it applied nothing.
          expect(second.events.filter((e) => e.event === 'migration:applied')).toEqual([]);

          // Both see the same new file at once: one applies it, the other finds it done.
          const name = '20260301000100_fault_kill_both.sql';
          const text =
            '-- +goose Up\nCREATE TABLE fault_kill_both (id int);\nINSERT INTO fault_kill_both VALUES (1);\n-- +goose Down\nDROP TABLE fault_kill_both;\n';
          await Promise.all([one.addMigration(name, text), two.addMigration(name, text)]);
          for (const daemon of [first, second]) {
            await daemon.waitFor(() => daemon.runEnds().length >= 2, 30_000, 'the run for the new file');
            expect(daemon.runEnds()[1], daemon.text()).toMatchObject({ ok: true });
          }
          const applied = [...first.events, ...second.events].filter((e) => e.event === 'migration:applied' && String(e.file).endsWith(name));
          expect(applied).toHaveLength(1);
          const versions = await appliedVersions(database.url);
          expectNoDuplicates(versions);
          expect(versions).toEqual(expect.arrayContaining([SLEEPING_VERSION, 20260301000100]));
          expect(await countOf(database.url, 'SELECT count(*)::int AS n FROM fault_kill_both')).toBe(1);
        } finally {
          await Promise.all([first.stop(), second.stop()]);
        }
        expectNoSecret(first.text() + second.text(), passwordOf(database.url));
      } finally {
        await Promise.all([one.remove(), two.remove()]);
        await database.drop();
      }
    });
  });
});

describeWith('PostgreSQL and the goose binary', gooseMissing ?? postgresMissing(), 'fault: the goose CLI beside a daemon', () => {
  it('goose takes no lock: run beside a daemon mid-apply it fails on the same migration, which stays applied once', async () => {
    await withFaultProject(async (database, project) => {
      await project.addMigration(SLEEPING, sleepingMigration('fault_kill_sleep', 3));
      const daemon = startWatch(project);
      try {
        await waitForSleep(database.url, database.name);
        // goose sees the version as pending and runs it too: its CREATE TABLE waits for the
        // daemon's transaction, then fails on the table the daemon committed. Nothing stops
        // goose from applying a migration whose statements could run twice: that is goose's
        // design (the v3.27.3 CLI takes no lock; only its library Provider does), documented.
        const result = spawnSync(goose!, ['-dir', project.path('migrations', 'postgres'), 'postgres', database.url, 'up'], {
          cwd: project.root,
          env: { PATH: process.env.PATH ?? '' },
          encoding: 'utf8',
          timeout: 60_000,
        });
        expect(result.status, result.stdout + result.stderr).not.toBe(0);
        // PostgreSQL says so as a unique violation on its catalog (or "already exists").
        expect(result.stderr).toMatch(/CREATE TABLE fault_kill_sleep.*(already exists|duplicate key)/);
        expect(await daemon.waitFor((e) => e.event === 'run:end', 60_000, 'the first run'), daemon.text()).toMatchObject({ ok: true });
        const versions = await appliedVersions(database.url);
        expectNoDuplicates(versions);
        expect(versions).toContain(SLEEPING_VERSION);
      } finally {
        await daemon.stop();
      }
    });
  });
});
