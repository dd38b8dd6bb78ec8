import { ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseClientConfigOptions, type ClickHouseSettings } from '@clickhouse/client';

import { CancelledError, ConfigError, ConnectionError } from '../../errors.ts';
import { redactUrl } from '../../log/redact.ts';
import { isServerErrorText, readServerError, unknownSetting, type ServerError } from './server-error.ts';

/**
 * The only module that talks to @clickhouse/client. It hides the client's options that matter
 * for old servers and turns its failures into three kinds: a ServerQueryError (the server
 * answered with an exception), a ConnectionError (it could not be reached) or a CancelledError.
 *
 * Settings chosen so that ClickHouse 18.16 and current servers both work:
 * - no `clickhouse_settings` at all: every setting the client sends must exist on the server,
 *   and 18.16 lacks many (e.g. `mutations_sync`, `date_time_input_format` variants);
 * - compression off both ways: the gzip negotiation relies on `enable_http_compression`, which
 *   is not worth depending on for the tiny queries a migration runner sends;
 * - the database goes as the HTTP `database` parameter, which 18.16 understands;
 * - the client's own console logger is off: errors surface as thrown values, logged by us.
 */
export interface ClickHouseSession {
  /** The database in the URL path (`default` when the path is empty). */
  readonly database: string;
  /** The URL with the password removed. */
  readonly where: string;
  /** Settings from the URL's query string (`?distributed_ddl_task_timeout=30`), sent with every query. */
  readonly settings: QuerySettings;
  /**
   * Runs one statement whose result is not needed (DDL, INSERT … VALUES, ALTER). `settings` go
   * as HTTP URL parameters, the only form 18.16 accepts for some (insert_quorum).
   */
  command(sql: string, signal?: AbortSignal, settings?: QuerySettings): Promise<void>;
  /** Runs one SELECT and returns its rows (JSONEachRow: 64-bit integers arrive as strings). */
  rows<Row>(sql: string, signal?: AbortSignal, settings?: QuerySettings): Promise<Row[]>;
  close(): Promise<void>;
}

/** The server answered with an exception. `server.code` is ClickHouse's numeric code. */
export class ServerQueryError extends Error {
  constructor(
    readonly server: ServerError,
    readonly sql: string,
    options?: { cause?: unknown },
  ) {
    super(server.code ? `Code ${server.code}: ${server.message}` : server.message, options);
    this.name = 'ServerQueryError';
  }
}

/** ClickHouse settings for one query, sent as URL parameters (names must exist on the server). */
export type QuerySettings = Record<string, string | number>;

export interface ClickHouseUrl {
  /** scheme://host:port, without credentials or path. */
  origin: string;
  username: string;
  password: string;
  database: string;
  /** The query string's parameters, passed to the server as settings on every query. */
  settings: QuerySettings;
}

/** Splits `http://user:password@host:8123/database` into what the client wants. Pure. */
export function parseClickHouseUrl(url: string): ClickHouseUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConnectionError(redactUrl(url), 'the ClickHouse URL does not parse; expected http://user:password@host:8123/database.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConnectionError(redactUrl(url), `the ClickHouse URL must use http or https (the HTTP interface, port 8123 by default), not ${parsed.protocol}`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\/+|\/+$/g, '')) || 'default';
  if (database.includes('/')) {
    throw new ConnectionError(redactUrl(url), `the URL path must be a single database name, not "${database}".`);
  }
  return {
    origin: `${parsed.protocol}//${parsed.host}`,
    username: decodeURIComponent(parsed.username) || 'default',
    password: decodeURIComponent(parsed.password),
    database,
    settings: Object.fromEntries(parsed.searchParams),
  };
}

/** The client's backend connection (its experimental `connection` option), e.g. chdb's in-process engine. */
export type ClientConnection = NonNullable<ClickHouseClientConfigOptions['connection']>;

export interface SessionOptions {
  /** Per-request timeout; migrations may hold long DDL, so generous by default. */
  requestTimeoutMs?: number;
  /**
   * Test seam, not a user feature: a backend for the database named in the URL instead of HTTP
   * (the tests run the target on chdb, ClickHouse's current engine in-process, through it).
   */
  connection?: (database: string) => ClientConnection;
}

export function openClickHouseSession(url: string, options: SessionOptions = {}): ClickHouseSession {
  const parts = parseClickHouseUrl(url);
  const where = redactUrl(url);
  const client: ClickHouseClient = createClient({
    url: parts.origin,
    username: parts.username,
    password: parts.password,
    database: parts.database,
    application: 'schemasync',
    compression: { request: false, response: false },
    request_timeout: options.requestTimeoutMs ?? 600_000,
    log: { level: ClickHouseLogLevel.OFF },
    ...(options.connection ? { connection: options.connection(parts.database) } : {}),
  });

  const translate = (error: unknown, sql: string, signal: AbortSignal | undefined): Error => {
    if (signal?.aborted) return new CancelledError(`ClickHouse query cancelled: ${firstLine(sql)}`);
    const text = error instanceof Error ? error.message : String(error);
    const clientCode = (error as { code?: unknown } | null)?.code;
    if (isServerErrorText(text) || (typeof clientCode === 'string' && /^\d+$/.test(clientCode))) {
      const server = readServerError(text, typeof clientCode === 'string' ? clientCode : undefined);
      // A setting of the URL's query string that this server lacks fails every query: the URL is wrong, not the server or the query.
      const setting = unknownSetting(server, Object.keys(parts.settings));
      if (setting) {
        return new ConfigError([
          `the ClickHouse URL ${where} sets ${setting}, which the server does not know (${server.message}); remove it from the URL's query string, or use a server version that has it`,
        ]);
      }
      return new ServerQueryError(server, sql, { cause: error });
    }
    return new ConnectionError(where, text, { cause: error });
  };

  return {
    database: parts.database,
    where,
    settings: parts.settings,
    async command(sql, signal, settings) {
      if (signal?.aborted) throw new CancelledError(`ClickHouse query cancelled before it started: ${firstLine(sql)}`);
      try {
        await client.command({ query: sql, abort_signal: signal, ...withSettings(parts.settings, settings) });
      } catch (error) {
        throw translate(error, sql, signal);
      }
    },
    async rows<Row>(sql: string, signal?: AbortSignal, settings?: QuerySettings) {
      if (signal?.aborted) throw new CancelledError(`ClickHouse query cancelled before it started: ${firstLine(sql)}`);
      try {
        const result = await client.query({ query: sql, format: 'JSONEachRow', abort_signal: signal, ...withSettings(parts.settings, settings) });
        return await result.json<Row>();
      } catch (error) {
        throw translate(error, sql, signal);
      }
    },
    async close() {
      await client.close();
    },
  };
}

/** No `clickhouse_settings` key at all when there are none (see the header: 18.16 knows few). */
function withSettings(fromUrl: QuerySettings, perQuery: QuerySettings | undefined): { clickhouse_settings?: ClickHouseSettings } {
  const merged = { ...perQuery, ...fromUrl };
  return Object.keys(merged).length === 0 ? {} : { clickhouse_settings: merged };
}

function firstLine(sql: string): string {
  const line = sql.split('\n', 1)[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
