import { execFile } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import { goose, gooseMissing } from '../helpers/tools.ts';
import {
  alive,
  appliedVersions,
  closedGate,
  countOf,
  expectAllGone,
  expectNoDuplicates,
  expectNoSecret,
  fakeToolPids,
  faultProject,
  gatedMigration,
  startWatch,
  passwordOf,
  processFamily,
  tableExists,
  waitAtGate,
  waitForQuery,
  withFaultProject,
} from './fault-support.ts';
import { pollUntil } from './watch-helpers.ts';

// Issue 7, cases 3 and 4: the daemon SIGKILLed mid-apply, then restarted; two daemons on one
// database; a daemon beside the goose CLI. The PostgreSQL advisory lock lives and dies with its
// session, a migration commits whole or not at all, and no version is ever recorded twice.

const GATED = '20260301000000_fault_kill_gated.sql';
const GATED_VERSION = 20260301000000;
/** An advisory lock key of this test's own (goose's lock uses another). */
const GATE_KEY = 7_301_001;

describeWith('PostgreSQL', postgresMissing(), 'fault: SIGKILL mid-apply, and two runners on one database', () => {
  describe.concurrent('cases', () => {
    it('SIGKILL mid-apply: the migration is not half-applied, the lock does not outlive the process, and a restart applies it once', async () => {
      await withFaultProject(async (database, project) => {
        // The migration waits at a gate, however long the machine takes to get to the kill.
        const gate = await closedGate(database.url, GATE_KEY);
        await project.addMigration(GATED, gatedMigration('fault_kill_gated', GATE_KEY));
        const first = startWatch(project);
        let family: number[];
        try {
          await waitAtGate(database.url, database.name, GATE_KEY);
          family = await processFamily(first.child.pid!);
          expect(await first.stop('SIGKILL')).toBeNull();
        } finally {
          await gate.open();
        }
        await expectAllGone(family);
        // Nothing of the interrupted migration is visible: its transaction never committed.
        expect(await tableExists(database.url, 'fault_kill_gated')).toBe(false);
        expect(await appliedVersions(database.url)).not.toContain(GATED_VERSION);

        const second = startWatch(project);
        try {
          const end = await second.waitFor((e) => e.event === 'run:end', 60_000, 'the restart run');
          expect(end, second.text()).toMatchObject({ ok: true });
          const versions = await appliedVersions(database.url);
          expect(versions).toContain(GATED_VERSION);
          expectNoDuplicates(versions);
          // The whole migration, once: its one INSERT ran once.
          expect(await countOf(database.url, 'SELECT count(*)::int AS n FROM fault_kill_gated')).toBe(1);
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
        await pollUntil(
          async () => ((await project.invocations()).some((line) => / generate/.test(line)) && (await fakeToolPids(project)).length >= 3 ? true : undefined),
          30_000,
          'prisma generate and its grandchild',
        );
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
      // The first daemon's migration waits at a gate until the second has started and waits for the lock.
      const gate = await closedGate(database.url, GATE_KEY);
      try {
        for (const project of [one, two]) await project.addMigration(GATED, gatedMigration('fault_kill_gated', GATE_KEY));
        const first = startWatch(one);
        await waitAtGate(database.url, database.name, GATE_KEY);
        const second = startWatch(two);
        try {
          const wait = await second.waitFor((e) => e.event === 'lock:wait', 30_000, 'the second daemon to wait for the lock');
          expect(wait.msg).toMatch(/held by pid \d+ \(schemasync/);
          await gate.open();
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
          expect(versions).toEqual(expect.arrayContaining([GATED_VERSION, 20260301000100]));
          expect(await countOf(database.url, 'SELECT count(*)::int AS n FROM fault_kill_both')).toBe(1);
        } finally {
          await Promise.all([first.stop(), second.stop()]);
        }
        expectNoSecret(first.text() + second.text(), passwordOf(database.url));
      } finally {
        await gate.open();
        await Promise.all([one.remove(), two.remove()]);
        await database.drop();
      }
    });
  });
});

describeWith('PostgreSQL and the goose binary', gooseMissing ?? postgresMissing(), 'fault: the goose CLI beside a daemon', () => {
  it('goose takes no lock: run beside a daemon mid-apply it fails on the same migration, which stays applied once', async () => {
    await withFaultProject(async (database, project) => {
      const gate = await closedGate(database.url, GATE_KEY);
      await project.addMigration(GATED, gatedMigration('fault_kill_gated', GATE_KEY));
      const daemon = startWatch(project);
      try {
        // goose sees the version as pending and runs it too: its CREATE TABLE waits for the
        // daemon's transaction, then fails on the table the daemon committed. Nothing stops
        // goose from applying a migration whose statements could run twice: that is goose's
        // design (the v3.27.3 CLI takes no lock; only its library Provider does), documented.
        let goosing: Promise<{ status: number | null; stdout: string; stderr: string }>;
        try {
          await waitAtGate(database.url, database.name, GATE_KEY);
          goosing = new Promise((resolve) =>
            execFile(
              goose!,
              ['-dir', project.path('migrations', 'postgres'), 'postgres', database.url, 'up'],
              { cwd: project.root, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8', timeout: 60_000 },
              (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
            ),
          );
          // The daemon's migration goes on only once goose's CREATE TABLE waits behind it.
          await waitForQuery(database.url, 'CREATE TABLE fault_kill_gated%', database.name, "goose's CREATE TABLE");
        } finally {
          await gate.open();
        }
        const result = await goosing;
        expect(result.status, result.stdout + result.stderr).not.toBe(0);
        // PostgreSQL says so as a unique violation on its catalog (or "already exists").
        expect(result.stderr).toMatch(/CREATE TABLE fault_kill_gated.*(already exists|duplicate key)/);
        expect(await daemon.waitFor((e) => e.event === 'run:end', 60_000, 'the first run'), daemon.text()).toMatchObject({ ok: true });
        const versions = await appliedVersions(database.url);
        expectNoDuplicates(versions);
        expect(versions).toContain(GATED_VERSION);
      } finally {
        await daemon.stop();
      }
    });
  });
});
