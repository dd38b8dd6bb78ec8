import { writeFile } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';

import type { DaemonProcess } from '../helpers/daemon.ts';
import { postgresMissing } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import {
  appliedVersions,
  expectAllGone,
  expectNoDuplicates,
  expectNoSecret,
  fakeToolPids,
  passwordOf,
  processFamily,
  sleepingMigration,
  startWatch,
  tableExists,
  waitForSleep,
  withFaultProject,
  type FaultProject,
} from './fault-support.ts';
import { pollUntil } from './watch-helpers.ts';

// Issue 7, case 2: SIGTERM and SIGINT at every step of a run. The daemon exits within a few
// seconds with status 0, leaves no child process, and leaves no migration half-applied; a
// restart then syncs. Each case has its own database, project and daemon, run side by side.

const EXIT_WITHIN_MS = 6_000;
const SLEEPING = '20260201000000_fault_signal_sleep.sql';

/** Sends `signal` and checks the exit: in time, status 0, nothing left running, no secret. */
async function stopAndCheck(daemon: DaemonProcess, project: FaultProject, signal: NodeJS.Signals, url: string): Promise<void> {
  const pid = daemon.child.pid!;
  const family = await processFamily(pid);
  const started = Date.now();
  const code = await daemon.stop(signal, 20_000);
  expect(Date.now() - started, daemon.text()).toBeLessThan(EXIT_WITHIN_MS);
  expect(code, daemon.text()).toBe(0);
  expect(daemon.events.some((e) => e.event === 'shutdown:end')).toBe(true);
  // A stop is not a failure: nothing at warn or error from the signal on; what was cancelled is said once, at info.
  const fromSignal = daemon.events.slice(daemon.events.findIndex((e) => e.event === 'shutdown:start'));
  expect(
    fromSignal.filter((e) => e.level >= 40),
    daemon.text(),
  ).toEqual([]);
  expect(fromSignal.filter((e) => e.event === 'run:end' && !e.ok).length, daemon.text()).toBeLessThanOrEqual(1);
  await expectAllGone(family);
  await expectAllGone(() => fakeToolPids(project), 2_000);
  expectNoSecret(daemon.text(), passwordOf(url));
}

/** Restarts the daemon with the tools working and checks that it syncs every migration once. */
async function restartSyncs(project: FaultProject, url: string, expected: number[]): Promise<void> {
  await project.setMode('ok');
  const again = startWatch(project);
  try {
    const end = await again.waitFor((e) => e.event === 'run:end', 60_000, 'the restart run');
    expect(end, again.text()).toMatchObject({ ok: true });
    const versions = await appliedVersions(url);
    expect(versions).toEqual(expect.arrayContaining(expected));
    expectNoDuplicates(versions);
  } finally {
    await again.stop();
  }
}

describeWith('PostgreSQL', postgresMissing(), 'fault: SIGTERM and SIGINT at every step', () => {
  describe.concurrent('each step', () => {
    it.each(['SIGTERM', 'SIGINT'] as const)('%s mid-transaction in apply rolls the migration back and exits', async (signal) => {
      await withFaultProject(async (database, project) => {
        await project.addMigration(SLEEPING, sleepingMigration('fault_signal_sleep', 60));
        const daemon = startWatch(project);
        await waitForSleep(database.url, database.name);
        await stopAndCheck(daemon, project, signal, database.url);
        // Rolled back: no table, no version row, no session left behind.
        expect(await tableExists(database.url, 'fault_signal_sleep')).toBe(false);
        expect(await appliedVersions(database.url)).not.toContain(20260201000000);
        await writeFile(project.path('migrations', 'postgres', SLEEPING), sleepingMigration('fault_signal_sleep', 0));
        await restartSyncs(project, database.url, [20260201000000]);
        expect(await tableExists(database.url, 'fault_signal_sleep')).toBe(true);
      });
    });

    it.each(['SIGTERM', 'SIGINT'] as const)('%s while prisma and sqlc hang kills both tools and their children and exits', async (signal) => {
      await withFaultProject(async (database, project) => {
        await project.setMode('hang');
        const daemon = startWatch(project);
        // Both tools started and spawned their grandchildren.
        await pollUntil(async () => ((await fakeToolPids(project)).length >= 4 ? true : undefined), 30_000, 'prisma, sqlc and their children');
        await stopAndCheck(daemon, project, signal, database.url);
        await restartSyncs(project, database.url, [20250301090500]);
      });
    });

    it('SIGTERM as validate starts (a 50 MB migration to read) exits and applies nothing half-way', async () => {
      await withFaultProject(async (database, project) => {
        const big = `-- +goose Up\n${'SELECT 1;\n'.repeat(5 * 1024 * 1024)}-- +goose Down\n`;
        await project.addMigration('20260201000100_fault_signal_big.sql', big);
        const daemon = startWatch(project);
        await daemon.waitFor((e) => e.event === 'step:start' && e.step === 'validate:postgres', 30_000, 'validate to start');
        await stopAndCheck(daemon, project, 'SIGTERM', database.url);
        // Whatever ran before the signal: every version row is a whole migration (its table exists).
        const versions = await appliedVersions(database.url);
        expectNoDuplicates(versions);
        if (versions.includes(20250301090100)) expect(await tableExists(database.url, 'spaces')).toBe(true);
        await writeFile(project.path('migrations', 'postgres', '20260201000100_fault_signal_big.sql'), '-- +goose Up\nSELECT 1;\n-- +goose Down\n');
        await restartSyncs(project, database.url, [20250301090500, 20260201000100]);
      });
    });
  });
});
