import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect, it } from 'vitest';

import { startSchemasync } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import { appliedVersions, sleepingMigration, tableExists, waitForSleep } from './fault-support.ts';

// Issue 18: one-shot commands take their signals from app/lifecycle.ts, as the daemon does. npm
// and a terminal each deliver the same Ctrl-C, milliseconds apart: the second one is the same
// stop, so `up` rolls the migration in flight back, says so, and exits 1 (not 130, a death by SIGINT).
describeWith('PostgreSQL', postgresMissing(), 'a duplicate SIGINT during a one-shot `up`', () => {
  it('two SIGINTs 10 ms apart mid-migration: rolled back, said, exit 1', { timeout: 90_000 }, async () => {
    const database = await createTestDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'schemasync-oneshot-signal-'));
    try {
      await writeFile(join(dir, '00001_sleepy.sql'), sleepingMigration('sleepy', 60));
      const up = startSchemasync(['up', '--dir', dir], { cwd: dir, env: { DATABASE_URL: database.url, CLICKHOUSE_URL: '' } });
      await waitForSleep(database.url, database.name);
      up.child.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 10));
      up.child.kill('SIGINT');
      const killer = setTimeout(() => up.child.kill('SIGKILL'), 20_000);
      const code = await up.exited.finally(() => clearTimeout(killer));
      expect(code, up.text()).toBe(1);
      expect(up.child.signalCode, up.text()).toBeNull();
      // Said once, at info: what was cancelled and that it was rolled back.
      const cancelled = up.events.filter((e) => e.event === 'cancelled');
      expect(cancelled, up.text()).toHaveLength(1);
      expect(cancelled[0]!.msg).toMatch(/00001_sleepy\.sql was cancelled; .*rolled back/);
      expect(await tableExists(database.url, 'sleepy')).toBe(false);
      expect(await appliedVersions(database.url)).not.toContain(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await database.drop();
    }
  });
});
