import { randomBytes } from 'node:crypto';

import pg from 'pg';
import { inject } from 'vitest';

/** Why PostgreSQL tests cannot run, or undefined when global-setup started a server. */
export function postgresMissing(): string | undefined {
  if (inject('postgresAdminUrl')) return undefined;
  return inject('postgresError') ?? 'global-setup provided no PostgreSQL server';
}

/** The maintenance URL from global-setup. */
export function postgresAdminUrl(): string {
  const url = inject('postgresAdminUrl');
  if (!url) throw new Error(`no PostgreSQL server: ${postgresMissing()}`);
  return url;
}

/** Runs SQL on `url` with a short-lived client (test set-up and checks, independent of the code under test). */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, uniquely named database on the test server; `url` points at it. `drop()` ends its
 * remaining sessions and drops it (idempotent).
 */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const admin = postgresAdminUrl();
  const name = `schemasync_test_${randomBytes(6).toString('hex')}`;
  await withClient(admin, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      if (dropped) return;
      dropped = true;
      // WITH (FORCE) (PostgreSQL 13+) ends sessions a test left open, e.g. a pool not yet closed.
      await withClient(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
