import { writeFile } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';

import { clickhouseMissing, clickhouseServerUrl } from '../helpers/clickhouse.ts';
import { runSchemasync, startSchemasync } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import { expectNoSecret, faultProject, passwordOf, withFaultProject } from './fault-support.ts';
import { freePort } from '../../daemon/util/ports.ts';

// Issue 7, case 9: a password in DATABASE_URL, CLICKHOUSE_URL or .env never appears in a log
// line, an error, `status` output or the /status response, whatever fails: a wrong password, a
// server that is not there, a migration that fails, a tool that fails with the URL in its
// environment. Each case scans everything the process printed (and /status) for the password.

const SECRET = 'Tr0ub4dor-3-hunter2';

/** A URL like `url` but with `password`. */
function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

describeWith('PostgreSQL', postgresMissing(), 'fault: no secret in any output, whatever fails', () => {
  describe.concurrent('cases', () => {
    it('a wrong password in .env: status and up fail without printing it', async () => {
      const database = await createTestDatabase();
      const bad = withPassword(database.url, SECRET);
      const project = await faultProject(bad, { DATABASE_URL: undefined });
      try {
        await writeFile(project.path('.env'), `DATABASE_URL=${bad}\n`);
        for (const command of [['status'], ['status', '--json'], ['up']]) {
          const result = await runSchemasync(command, { cwd: project.root, env: project.env });
          expect(result.code, result.output).not.toBe(0);
          expect(result.output).toMatch(/password|authentication/i);
          expectNoSecret(result.output, SECRET);
        }
      } finally {
        await project.remove();
        await database.drop();
      }
    });

    it('a server that is not there: the daemon waits, and its log and /status never show the password', async () => {
      const database = await createTestDatabase();
      const url = new URL(withPassword(database.url, SECRET));
      url.port = String(await freePort());
      const [project, healthPort] = await Promise.all([faultProject(url.toString(), { SCHEMASYNC_PORT: undefined }), freePort()]);
      try {
        const daemon = startSchemasync(['watch', '--port', String(healthPort)], { cwd: project.root, env: project.env });
        try {
          await daemon.waitFor((e) => e.event === 'db:wait', 30_000, 'the daemon to wait for PostgreSQL');
          await daemon.waitFor((e) => e.event === 'server:listening', 30_000, 'the health server');
          const status = await (await fetch(`http://127.0.0.1:${healthPort}/status`)).text();
          expect(status).toContain('127.0.0.1');
          expectNoSecret(status, SECRET);
        } finally {
          await daemon.stop();
        }
        expectNoSecret(daemon.text(), SECRET);
      } finally {
        await project.remove();
        await database.drop();
      }
    });

    it('a failing migration, and a failing tool that has the URL in its environment, print no password', async () => {
      await withFaultProject(async (database, project) => {
        // The fake prisma and sqlc crash; the migration fails on the server.
        await project.setMode('crash');
        await project.addMigration('20260701000000_fault_secret_fail.sql', "-- +goose Up\nSELECT 'x'::int;\n");
        const result = await runSchemasync(['sync'], { cwd: project.root, env: project.env });
        expect(result.code, result.output).not.toBe(0);
        expect(result.output).toMatch(/invalid input syntax/);
        await writeFile(project.path('migrations', 'postgres', '20260701000000_fault_secret_fail.sql'), '-- +goose Up\nSELECT 1;\n');
        const tools = await runSchemasync(['sync'], { cwd: project.root, env: project.env });
        expect(tools.code, tools.output).not.toBe(0);
        expect(tools.output).toMatch(/segmentation violation/);
        // The fake prisma echoed the URL it was given: it shows, without its password.
        expect(tools.output).toMatch(/cannot reach postgres(ql)?:\/\/[^:]+:\*\*\*@/);
        for (const output of [result.output, tools.output]) expectNoSecret(output, passwordOf(database.url));
      });
    });
  });
});

describeWith('PostgreSQL and ClickHouse', postgresMissing() ?? clickhouseMissing(), 'fault: no ClickHouse password in any output', () => {
  it('a wrong password in CLICKHOUSE_URL: status fails without printing it', async () => {
    await withFaultProject(
      async (_database, project) => {
        const result = await runSchemasync(['status'], { cwd: project.root, env: project.env });
        expect(result.code, result.output).not.toBe(0);
        expect(result.output).toMatch(/clickhouse/i);
        expectNoSecret(result.output, SECRET);
      },
      { env: { CLICKHOUSE_URL: withPassword(clickhouseServerUrl(), SECRET) } },
    );
  });
});
