import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { runSchemasync, startSchemasync } from '../helpers/daemon.ts';
import { createTestDatabase, postgresAdminUrl, postgresMissing, withClient } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';

/** Sleeps only when applied to a shadow database, so the live `up` is quick and the shadow check is caught mid-statement. */
const SLOW_IN_SHADOW = `-- +goose Up
CREATE TABLE a (id int);
-- +goose StatementBegin
DO $$ BEGIN IF current_database() LIKE 'schemasync_shadow_%' THEN PERFORM pg_sleep(60); END IF; END $$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE a;
`;

// drift/shadow.ts installs no signal handlers: app/lifecycle.ts aborts the check's signal and
// the shadow check drops its database on the way out.
describeWith('PostgreSQL', postgresMissing(), 'a signal during the shadow check of `verify`', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  const env = () => ({ DATABASE_URL: database.url, CLICKHOUSE_URL: '' });
  const admin = <R extends Record<string, unknown>>(text: string, values: unknown[] = []) =>
    withClient(postgresAdminUrl(), async (c) => (await c.query<R>(text, values)).rows);
  /** Shadow databases of this test's database's server whose pg_sleep is running. */
  const sleepingShadows = () =>
    admin<{ datname: string }>(`SELECT datname FROM pg_stat_activity WHERE datname LIKE 'schemasync\\_shadow\\_%' AND query LIKE '%pg_sleep%'`);
  /** Which of `names` still exist (other test files make shadow databases of their own on the same server). */
  const existing = (names: string[]) => admin<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1)', [names]);

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'schemasync-shadow-signal-'));
    await writeFile(join(dir, '00001_slow_in_shadow.sql'), SLOW_IN_SHADOW);
    const up = await runSchemasync(['up', '--dir', dir], { cwd: dir, env: env() });
    expect(up.code, up.output).toBe(0);
  });
  afterAll(async () => {
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s stops verify at once and drops the shadow database', { timeout: 60_000 }, async (signal) => {
    const verify = startSchemasync(['verify', '--dir', dir], { cwd: dir, env: env() });
    const deadline = Date.now() + 30_000;
    let ours: string[] = [];
    while ((ours = (await sleepingShadows()).map((row) => row.datname)).length === 0) {
      if (Date.now() > deadline || verify.child.exitCode !== null) throw new Error(`the shadow check never reached its slow statement; log:\n${verify.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const started = Date.now();
    verify.child.kill(signal);
    const killer = setTimeout(() => verify.child.kill('SIGKILL'), 15_000);
    const code = await verify.exited.finally(() => clearTimeout(killer));
    // An exit status, not a signal death nor the 10 s forced exit: the statement was cancelled.
    expect(typeof code, verify.text()).toBe('number');
    expect(Date.now() - started, verify.text()).toBeLessThan(8_000);
    expect(await existing(ours), verify.text()).toEqual([]);
  });
});
