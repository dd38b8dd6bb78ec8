import { randomBytes } from 'node:crypto';

import { inject } from 'vitest';

/** Why ClickHouse tests cannot run, or undefined when global-setup started a server. */
export function clickhouseMissing(): string | undefined {
  if (inject('clickhouseUrl')) return undefined;
  return inject('clickhouseError') ?? 'global-setup provided no ClickHouse server';
}

/** The server URL (no database path) from global-setup. */
export function clickhouseServerUrl(): string {
  const url = inject('clickhouseUrl');
  if (!url) throw new Error(`no ClickHouse server: ${clickhouseMissing()}`);
  return url;
}

/**
 * Runs one statement over the HTTP interface (plain fetch, so test set-up does not go through
 * the code under test) and returns the response body. Throws with the server's message.
 */
export async function clickhouseQuery(serverUrl: string, sql: string, database = 'default'): Promise<string> {
  const url = new URL(serverUrl);
  const auth = Buffer.from(`${decodeURIComponent(url.username) || 'default'}:${decodeURIComponent(url.password)}`).toString('base64');
  const response = await fetch(`${url.origin}/?database=${encodeURIComponent(database)}`, {
    method: 'POST',
    headers: { authorization: `Basic ${auth}` },
    body: sql,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse refused ${sql.slice(0, 80)}: ${text.slice(0, 500)}`);
  return text;
}

/** A fresh database per test; `url` points at it (`http://user:pw@host:port/db`). */
export async function createTestClickHouseDatabase(): Promise<{ url: string; database: string; drop(): Promise<void> }> {
  const server = clickhouseServerUrl();
  const database = `schemasync_test_${randomBytes(5).toString('hex')}`;
  await clickhouseQuery(server, `CREATE DATABASE ${database}`);
  const url = new URL(server);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    database,
    drop: async () => void (await clickhouseQuery(server, `DROP DATABASE IF EXISTS ${database}`)),
  };
}
