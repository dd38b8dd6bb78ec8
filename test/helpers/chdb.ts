/**
 * ClickHouse as it is today (chdb: the current engine in-process, from test/fixtures/chdb, which
 * `.ci/run` installs), for the tests that run the ClickHouse target beside the 18.16 server.
 * chdb is not a server: no port, no ON CLUSTER, and one engine per process. Each test file gets
 * one engine in a temp folder; a database is chosen per connection by prefixing `USE <db>` to every
 * statement (chdb ignores the client's `database` option).
 */
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

import type { ClientConnection } from '../../daemon/targets/clickhouse/connection.ts';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/chdb');

/** Why chdb cannot run here, or undefined when it can. */
export function chdbMissing(): string | undefined {
  if (!existsSync(path.join(FIXTURE, 'node_modules/chdb/package.json'))) return `test/fixtures/chdb is not installed (npm ci --prefix test/fixtures/chdb)`;
  if (process.platform !== 'linux' || process.arch !== 'x64') return `chdb's engine is installed for linux x64 only, not ${process.platform} ${process.arch}`;
  return undefined;
}

type Connection = Record<string, (params: unknown) => unknown>;
interface Params {
  query: string;
  [key: string]: unknown;
}

let engine: { connection: Connection; folder: string } | undefined;

function shared(): Connection {
  if (!engine) {
    const require = createRequire(path.join(FIXTURE, 'package.json'));
    const { createChdbConnection } = require('chdb/connection') as { createChdbConnection: (options: { path: string }) => Connection };
    const folder = mkdtempSync(path.join(tmpdir(), 'schemasync-chdb-'));
    engine = { connection: createChdbConnection({ path: folder }), folder };
    process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  }
  return engine.connection;
}

/**
 * A connection to `database` on this process's engine. Every statement runs after `USE database`
 * and with 64-bit integers quoted in JSON, as a ClickHouse server's defaults have them (chdb turns
 * output_format_json_quote_64bit_integers off; the types follow servers).
 */
export function chdbConnection(database: string): ClientConnection {
  const inner = shared();
  const call = (method: string, params: unknown) => inner[method]!.call(inner, params);
  const prefix = (params: Params) => ({ ...params, query: `USE \`${database}\`; SET output_format_json_quote_64bit_integers = 1; ${params.query}` });
  const wrapped = {
    connectionName: 'chdb',
    supportsZeroCopyStreaming: false,
    query: (params: Params) => call('query', prefix(params)),
    command: (params: Params) => call('command', prefix(params)),
    exec: (params: Params) => call('exec', prefix(params)),
    insert: (params: Params & { table: string }) => call('insert', { ...params, table: `\`${database}\`.${params.table}` }),
    ping: (params: unknown) => call('ping', params),
    // The engine lives as long as the test process: closing one client must not close it for the others.
    close: async () => {},
  };
  return wrapped as unknown as ClientConnection;
}

/** A URL naming `database` (the host is never dialled: the connection goes to chdb). */
export const chdbUrl = (database: string) => `http://default@chdb.invalid:8123/${database}`;

/** Runs one statement on the engine (test set-up and checks, bypassing the code under test); TabSeparated text. */
export async function chdbQuery(sql: string, database = 'default'): Promise<string> {
  const connection = chdbConnection(database) as unknown as { query(p: Params): Promise<{ stream: NodeJS.ReadableStream }> };
  const result = await connection.query({ query: sql, clickhouse_settings: { default_format: 'TabSeparated' } });
  const chunks: Buffer[] = [];
  for await (const chunk of result.stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** A fresh database on the engine; `url` names it, and `connection` reaches it. */
export async function createChdbDatabase(): Promise<{ url: string; database: string; connection: (db: string) => ClientConnection; drop(): Promise<void> }> {
  const database = `schemasync_test_${randomBytes(5).toString('hex')}`;
  await chdbQuery(`CREATE DATABASE ${database}`);
  return { url: chdbUrl(database), database, connection: chdbConnection, drop: async () => void (await chdbQuery(`DROP DATABASE IF EXISTS ${database}`)) };
}
