import { randomBytes } from 'node:crypto';

import pg from 'pg';

/**
 * PostgreSQL set-up and checks for tests and benchmarks, independent of the code under test and
 * of vitest (the benchmarks import this too).
 */

/** Runs SQL on `url` with a short-lived client. */
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
 * A fresh, uniquely named database on the server of `adminUrl`; `url` points at it. `drop()` ends
 * its remaining sessions and drops it (idempotent).
 */
export async function createDatabaseOn(adminUrl: string, prefix: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    // WITH (FORCE) (PostgreSQL 13+) ends sessions left open, e.g. a pool not yet closed.
    drop: () => (dropped ??= withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined)),
  };
}
