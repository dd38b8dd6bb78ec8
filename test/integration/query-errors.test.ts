import { afterAll, beforeAll, expect, it } from 'vitest';

import { runSchemasync, startSchemasync } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { copyExampleProject, type TempProject } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';

/**
 * A role that may connect but not read goose's version table: the server answers, so this is no
 * outage. Commands name the table and the missing privilege; the daemon does not re-run.
 */
describeWith('PostgreSQL', postgresMissing(), 'a query the server refuses is not a connection error', () => {
  let project: TempProject;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let limitedUrl: string;
  const role = `schemasync_limited_${process.pid}`;

  beforeAll(async () => {
    project = await copyExampleProject({ without: ['migrations/clickhouse'] });
    db = await createTestDatabase();
    const up = await runSchemasync(['up'], { cwd: project.root, env: { DATABASE_URL: db.url, CLICKHOUSE_URL: '' } });
    expect(up.code, up.output).toBe(0);
    await withClient(db.url, async (client) => {
      await client.query(`DROP ROLE IF EXISTS ${role}`);
      await client.query(`CREATE ROLE ${role} LOGIN PASSWORD 'limited'`);
      await client.query(`GRANT CONNECT ON DATABASE ${db.name} TO ${role}`);
    });
    const url = new URL(db.url);
    url.username = role;
    url.password = 'limited';
    limitedUrl = url.toString();
  });
  afterAll(async () => {
    await db?.drop();
    await withClient(db.url.replace(/\/[^/]*$/, '/postgres'), (client) => client.query(`DROP ROLE IF EXISTS ${role}`)).catch(() => {});
    await project?.remove();
  });

  it('one-shot commands exit 2 naming the table, the operation and the SQLSTATE, never "cannot reach"', async () => {
    for (const command of ['status', 'up', 'version']) {
      const result = await runSchemasync([command], { cwd: project.root, env: { DATABASE_URL: limitedUrl, CLICKHOUSE_URL: '' } });
      expect(result.code, result.output).toBe(2);
      expect(result.output).not.toContain('cannot reach');
      const failure = result.events.find((e) => e.event === 'failure');
      expect(failure?.code, result.output).toBe('QUERY');
      expect(String(failure?.msg)).toContain("could not read goose's version table [42501]: permission denied for table goose_db_version");
      expect(String(failure?.msg)).toContain(`the role "${role}" lacks a privilege on goose_db_version`);
    }
  });

  it('the daemon logs the failure once, does not re-run on its own, and /healthz answers 503', async () => {
    const daemon = startSchemasync(['watch'], { cwd: project.root, env: { DATABASE_URL: limitedUrl, CLICKHOUSE_URL: '', SCHEMASYNC_PORT: '0' } });
    try {
      const failure = await daemon.waitFor((e) => e.event === 'failure', 30_000, 'the failure');
      expect(failure.code).toBe('QUERY');
      const listening = daemon.events.find((e) => e.event === 'server:listening');
      const health = await fetch(`http://127.0.0.1:${String(listening?.port)}/healthz`);
      expect(health.status).toBe(503);
      // Before the fix: a full re-run every half second, 22 identical failures in 12 s.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      expect(
        daemon.events.filter((e) => e.event === 'failure'),
        daemon.text(),
      ).toHaveLength(1);
      expect(daemon.runEnds()).toHaveLength(1);
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
  });
});
