import { randomBytes } from 'node:crypto';

import { startLocalBinary } from '../../test/helpers/clickhouse-server.ts';
import { startPostgresServer } from '../../test/helpers/postgres-server.ts';

/** The database servers both sides of the benchmark share (each side gets its own database on them). */
export interface BenchServers {
  postgresAdminUrl: string;
  /** ClickHouse HTTP URL without a database, or undefined when no server could be started. */
  clickhouseUrl?: string;
  /** Native-protocol address of the local ClickHouse (for goose's clickhouse driver). */
  clickhouseTcp?: { host: string; port: number; user: string; password: string };
  clickhouseProblem?: string;
  stop(): Promise<void>;
}

/**
 * `BENCH_DATABASE_URL` (a user allowed to CREATE DATABASE), else the test harness's server
 * (TEST_DATABASE_URL, Docker, or an embedded PostgreSQL under /tmp). ClickHouse: a local
 * `clickhouse-server` binary, started the way the tests start it.
 */
export async function startServers(): Promise<BenchServers> {
  const postgres = process.env.BENCH_DATABASE_URL ? { adminUrl: process.env.BENCH_DATABASE_URL, stop: async () => {} } : await startPostgresServer();
  let clickhouse: Awaited<ReturnType<typeof startLocalBinary>> | undefined;
  let clickhouseProblem: string | undefined;
  try {
    clickhouse = await startLocalBinary();
  } catch (error) {
    clickhouseProblem = (error as Error).message.split('\n')[0];
  }
  const chUrl = clickhouse ? new URL(clickhouse.url) : undefined;
  return {
    postgresAdminUrl: postgres.adminUrl,
    clickhouseUrl: clickhouse?.url,
    clickhouseTcp:
      clickhouse && chUrl
        ? { host: chUrl.hostname, port: clickhouse.tcpPort, user: decodeURIComponent(chUrl.username), password: decodeURIComponent(chUrl.password) }
        : undefined,
    clickhouseProblem,
    stop: async () => {
      await clickhouse?.stop();
      await postgres.stop();
    },
  };
}

/** One ClickHouse query over HTTP; returns the response text (throws on an HTTP error). */
export async function clickhouseQuery(serverUrl: string, sql: string): Promise<string> {
  const url = new URL(serverUrl);
  const auth = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  url.username = '';
  url.password = '';
  const response = await fetch(url, { method: 'POST', body: sql, headers: { Authorization: `Basic ${auth}` }, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse: ${text.trim()}`);
  return text;
}

/** A fresh ClickHouse database; returns the URL with it as the path (as CLICKHOUSE_URL takes it). */
export async function createClickHouseDatabase(serverUrl: string, prefix: string): Promise<{ url: string; database: string; drop(): Promise<void> }> {
  const database = `${prefix}_${randomBytes(4).toString('hex')}`;
  await clickhouseQuery(serverUrl, `CREATE DATABASE ${database}`);
  return {
    url: `${serverUrl.replace(/\/+$/, '')}/${database}`,
    database,
    drop: () => clickhouseQuery(serverUrl, `DROP DATABASE IF EXISTS ${database}`).then(() => undefined),
  };
}
