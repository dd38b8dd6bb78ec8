import { writeFile } from 'node:fs/promises';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { clickhouseMissing, clickhouseQuery } from '../helpers/clickhouse.ts';
import { localClickHouseMissing, startLocalBinary, type LocalClickHouse } from '../helpers/clickhouse-server.ts';
import type { DaemonProcess } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import {
  expectNoSecret,
  faultProject,
  firstRun,
  nextRunEnd,
  passwordOf,
  startWatch,
  stopCleanly,
  successfulRunAfter,
  type FaultProject,
} from './fault-support.ts';

// Issue 7, case 1 (ClickHouse): a dedicated local clickhouse-server is killed while the daemon is
// idle and again in the middle of a migration, and restarted on the same folder and ports
// seconds later ("minutes" in life; long enough here for several backoff retries). ClickHouse has
// no transactions: a migration interrupted after its first statement keeps that statement, says
// so, and records no version; written to be re-runnable, it then applies once.

const DOWN_FOR_MS = 6_000;

describeWith(
  'PostgreSQL and a clickhouse-server binary',
  postgresMissing() ?? clickhouseMissing() ?? localClickHouseMissing(),
  'fault: the ClickHouse server goes away and comes back',
  () => {
    let clickhouse: LocalClickHouse;
    let database: Awaited<ReturnType<typeof createTestDatabase>>;
    let project: FaultProject;
    let daemon: DaemonProcess;

    /** goose's version rows in ClickHouse (applied, not the 0 row), as the test reads them. */
    const versions = async () =>
      (await clickhouseQuery(clickhouse.url, 'SELECT version_id FROM goose_db_version WHERE is_applied = 1 AND version_id > 0 ORDER BY version_id FORMAT TSV'))
        .split('\n')
        .filter(Boolean)
        .map(Number);
    const tables = async () => (await clickhouseQuery(clickhouse.url, 'SHOW TABLES FORMAT TSV')).split('\n').filter(Boolean);

    beforeAll(async () => {
      clickhouse = await startLocalBinary();
      database = await createTestDatabase();
      project = await faultProject(database.url, { CLICKHOUSE_URL: clickhouse.url });
      daemon = startWatch(project);
      await firstRun(daemon);
      expect(await versions()).toEqual([20250101100000, 20250101100100]);
    });

    afterAll(async () => {
      await daemon?.stop();
      await clickhouse?.stop();
      await project?.remove();
      await database?.drop();
    });

    const chFile = (name: string) => project.path('migrations', 'clickhouse', name);

    it(`killed while idle for ${DOWN_FOR_MS / 1000} s: the daemon waits, logs it once, and syncs the change made meanwhile`, async () => {
      const mark = daemon.events.length;
      const runsBefore = daemon.runEnds().length;
      await clickhouse.kill();
      await writeFile(
        chFile('20260601000000_fault_ch_idle.sql'),
        '-- +goose Up\nCREATE TABLE fault_ch_idle (id UInt32) ENGINE = Memory;\n-- +goose Down\nDROP TABLE fault_ch_idle;\n',
      );
      expect(await nextRunEnd(daemon, runsBefore, 'the run that finds the server gone')).toMatchObject({ ok: false });
      await daemon.waitFor(
        (e) => e.event === 'db:wait' && e.target === 'clickhouse' && daemon.events.indexOf(e) >= mark,
        30_000,
        'the daemon to wait for ClickHouse',
      );
      await new Promise((resolve) => setTimeout(resolve, DOWN_FOR_MS));
      expect(daemon.child.exitCode).toBeNull();
      expect(daemon.events.slice(mark).filter((e) => e.event === 'db:wait')).toHaveLength(1);

      await clickhouse.restart();
      await successfulRunAfter(daemon, runsBefore, 60_000);
      expect(await tables()).toContain('fault_ch_idle');
      expect(await versions()).toEqual([20250101100000, 20250101100100, 20260601000000]);
    });

    it(`killed in the middle of a migration for ${DOWN_FOR_MS / 1000} s: the version is not recorded, and once back the migration applies once`, async () => {
      const runsBefore = daemon.runEnds().length;
      const name = '20260601000100_fault_ch_midrun.sql';
      // Re-runnable on purpose: without transactions, the statement before the outage stays applied.
      await writeFile(
        chFile(name),
        '-- +goose Up\nCREATE TABLE IF NOT EXISTS fault_ch_first (id UInt32) ENGINE = Memory;\nSELECT sleep(3);\nCREATE TABLE IF NOT EXISTS fault_ch_second (id UInt32) ENGINE = Memory;\n-- +goose Down\nDROP TABLE fault_ch_second;\nDROP TABLE fault_ch_first;\n',
      );
      await expect
        .poll(async () => (await clickhouseQuery(clickhouse.url, "SELECT count() FROM system.processes WHERE query LIKE 'SELECT sleep%' FORMAT TSV")).trim(), {
          timeout: 30_000,
          interval: 100,
        })
        .toBe('1');
      await clickhouse.kill();
      expect(await nextRunEnd(daemon, runsBefore, 'the interrupted run to end')).toMatchObject({ ok: false });
      await new Promise((resolve) => setTimeout(resolve, DOWN_FOR_MS));
      expect(daemon.child.exitCode).toBeNull();

      await clickhouse.restart();
      expect(await versions()).not.toContain(20260601000100);
      await successfulRunAfter(daemon, runsBefore, 60_000);
      expect(await tables()).toEqual(expect.arrayContaining(['fault_ch_first', 'fault_ch_second']));
      expect(await versions()).toEqual([20250101100000, 20250101100100, 20260601000000, 20260601000100]);
    });

    it('stops cleanly afterwards, with no process left and no password in any log line', async () => {
      await stopCleanly(daemon);
      expectNoSecret(daemon.text(), passwordOf(database.url));
      expectNoSecret(daemon.text(), passwordOf(clickhouse.url));
    });
  },
);
