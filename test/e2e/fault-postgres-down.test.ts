import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { silentLogger } from '../../daemon/log/types.ts';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from '../../daemon/targets/postgres/embedded.ts';
import type { DaemonProcess, LogEvent } from '../helpers/daemon.ts';
import { postgresMissing } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import {
  appliedVersions,
  countOf,
  expectNoDuplicates,
  expectNoSecret,
  faultProject,
  firstRun,
  nextRunEnd,
  passwordOf,
  sleepingMigration,
  startWatch,
  stopCleanly,
  successfulRunAfter,
  tableExists,
  waitForSleep,
  type FaultProject,
} from './fault-support.ts';

// Issue 7, case 1 (PostgreSQL): the server stops while the daemon is idle and again in the
// middle of a migration, and comes back later. "Minutes" are seconds here, long enough for the
// daemon's backoff to retry several times (0.5 s, 1 s, 2 s, 4 s …). The server is a dedicated
// embedded PostgreSQL, stopped and restarted on the same folder and port; the shared one is
// left alone. One daemon lives through both outages.

const DOWN_FOR_MS = 6_000;

describeWith('PostgreSQL', postgresMissing(), 'fault: the PostgreSQL server goes away and comes back', () => {
  let dataDir: string;
  let server: EmbeddedPostgresServer;
  let project: FaultProject;
  let daemon: DaemonProcess;

  const start = () => startEmbeddedPostgres({ dataDir, logger: silentLogger });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'schemasync-fault-pg-'));
    server = await start();
    project = await faultProject(server.url);
    daemon = startWatch(project);
    await firstRun(daemon);
  });

  afterAll(async () => {
    await daemon?.stop();
    await server?.stop();
    await project?.remove();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const eventsAfter = (index: number, match: (e: LogEvent) => boolean) => daemon.events.slice(index).filter(match);

  it(`stopped while idle for ${DOWN_FOR_MS / 1000} s (several backoff retries): the daemon waits, logs it once, and syncs the change made meanwhile`, async () => {
    const mark = daemon.events.length;
    const runsBefore = daemon.runEnds().length;
    await server.stop();
    await project.addMigration(
      '20260401000000_fault_pg_idle.sql',
      '-- +goose Up\nCREATE TABLE fault_pg_idle (id int);\n-- +goose Down\nDROP TABLE fault_pg_idle;\n',
    );
    // The run for the change fails on the connection; the daemon then waits for the server.
    expect(await nextRunEnd(daemon, runsBefore, 'the run that finds the server gone')).toMatchObject({ ok: false });
    await daemon.waitFor((e) => e.event === 'db:wait' && daemon.events.indexOf(e) >= mark, 30_000, 'the daemon to wait for PostgreSQL');
    await new Promise((resolve) => setTimeout(resolve, DOWN_FOR_MS));
    expect(daemon.child.exitCode).toBeNull();
    // Waiting is said once, however many retries.
    expect(eventsAfter(mark, (e) => e.event === 'db:wait')).toHaveLength(1);

    server = await start();
    await daemon.waitFor((e) => e.event === 'db:ready' && daemon.events.indexOf(e) >= mark, 30_000, 'PostgreSQL to be reachable again');
    await successfulRunAfter(daemon, runsBefore, 30_000);
    expect(await tableExists(server.url, 'fault_pg_idle')).toBe(true);
    expectNoDuplicates(await appliedVersions(server.url));
  });

  it(`stopped in the middle of a migration for ${DOWN_FOR_MS / 1000} s: nothing half-applied, and once back the migration applies once`, async () => {
    const mark = daemon.events.length;
    const runsBefore = daemon.runEnds().length;
    const name = '20260401000100_fault_pg_midrun.sql';
    await project.addMigration(name, sleepingMigration('fault_pg_midrun', 60));
    await waitForSleep(server.url);
    await server.stop();
    expect(await nextRunEnd(daemon, runsBefore, 'the interrupted run to end')).toMatchObject({ ok: false });
    // The fix while the server is down (no sleep this time) is a change like any other.
    await writeFile(project.path('migrations', 'postgres', name), sleepingMigration('fault_pg_midrun', 0));
    await new Promise((resolve) => setTimeout(resolve, DOWN_FOR_MS));
    expect(daemon.child.exitCode).toBeNull();

    server = await start();
    await successfulRunAfter(daemon, runsBefore, 60_000);
    const versions = await appliedVersions(server.url);
    expectNoDuplicates(versions);
    expect(versions).toContain(20260401000100);
    expect(await countOf(server.url, 'SELECT count(*)::int AS n FROM fault_pg_midrun')).toBe(1);
    expect(eventsAfter(mark, (e) => e.event === 'run:crash')).toEqual([]);
  });

  it('stops cleanly afterwards, with no process left and the password in no log line', async () => {
    await stopCleanly(daemon);
    expectNoSecret(daemon.text(), passwordOf(server.url));
  });
});
