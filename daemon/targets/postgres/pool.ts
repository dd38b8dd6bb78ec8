import pg from 'pg';

import { CancelledError, ConnectionError, isSchemasyncError } from '../../errors.ts';
import type { Logger } from '../../log/types.ts';
import { redactUrl } from '../../log/redact.ts';
import { explainConnectionFailure, isConnectionFailure } from './connection.ts';
import * as sql from './queries.ts';
import { queryFailure } from './query-failure.ts';

/** Shown in pg_stat_activity, so that a waiting runner (ours or another) can name the lock holder. */
export const APPLICATION_NAME = 'schemasync';

/** Pooled clients that already have schemasync's 'error' listener (clients are reused). */
const heardClients = new WeakSet<pg.PoolClient>();

/**
 * The PostgreSQL target's connections: one pg.Pool opened lazily, checked out clients, and the
 * mapping of pg's failures to ConnectionError (the server is away) or QueryError (it refused).
 */
export class PostgresPool {
  /** The URL with the password removed, for messages. */
  readonly where: string;
  readonly #url: string;
  readonly #logger: Logger;
  #pool: pg.Pool | undefined;
  #connecting: Promise<pg.Pool> | undefined;

  constructor(url: string, logger: Logger) {
    this.#url = url;
    this.#logger = logger;
    this.where = redactUrl(url);
  }

  get url(): string {
    return this.#url;
  }

  /** Opens the pool, or asks the server again when it is open: an open pool proves nothing once the server has gone away. */
  async connect(signal?: AbortSignal): Promise<void> {
    const fresh = this.#connecting === undefined;
    const pool = await this.ready(signal);
    if (fresh) return;
    // A caller waiting for the server (app/wait.ts) must wait, not see success at once.
    const ping = pool.query(sql.PING);
    try {
      await (signal ? abortable(ping, signal, () => this.#connectCancelled()) : ping);
    } catch (error) {
      ping.catch(() => {});
      throw isSchemasyncError(error) ? error : this.connectionError(error);
    }
  }

  /** The pool, after one successful round trip; concurrent callers share the attempt, a failed one is retried next time. */
  ready(signal?: AbortSignal): Promise<pg.Pool> {
    if (signal?.aborted) return Promise.reject(this.#connectCancelled());
    this.#connecting ??= this.#open().catch((error: unknown) => {
      this.#connecting = undefined;
      throw error;
    });
    if (!signal) return this.#connecting;
    return abortable(this.#connecting, signal, () => this.#connectCancelled());
  }

  async #open(): Promise<pg.Pool> {
    const pool = new pg.Pool({
      connectionString: this.#url,
      application_name: APPLICATION_NAME,
      // Room for a lock-holding session, a migration, an introspection and the drift checks.
      max: 4,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle connection dropped by the server (restart, shutdown with ours on Ctrl-C, idle
    // timeout) must not crash the daemon. Nothing to act on: the next query reconnects, or
    // reports the outage in full. Debug only.
    pool.on('error', (error) => this.#logger.debug({ err: error }, 'an idle PostgreSQL connection was closed'));
    try {
      await pool.query(sql.PING);
    } catch (error) {
      await pool.end().catch(() => {});
      throw this.connectionError(error);
    }
    this.#pool = pool;
    return pool;
  }

  /** A dedicated connection; connection failures become ConnectionError. */
  async checkout(signal?: AbortSignal): Promise<pg.PoolClient> {
    const pool = await this.ready(signal);
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw this.connectionError(error);
    }
    // pg emits 'error' on a checked-out client whose server goes away (the pool only listens
    // while it is idle); unheard, that event kills the daemon. The query in flight rejects with
    // the same error, which is what gets reported.
    if (!heardClients.has(client)) {
      heardClients.add(client);
      client.on('error', (error) => this.#logger.debug({ err: error }, 'a PostgreSQL connection in use failed'));
    }
    return client;
  }

  connectionError(error: unknown): ConnectionError {
    return new ConnectionError(this.where, explainConnectionFailure(error, this.urlParts()), { cause: error });
  }

  /**
   * Maps an error that is not a migration statement's own failure. Only a connection problem is
   * a ConnectionError (the daemon waits for the server); anything else the server refused
   * (privilege, schema, read-only, lock timeout) is a QueryError naming what we were doing.
   */
  queryError(error: unknown, doing: string, object?: string): Error {
    if (isSchemasyncError(error)) return error;
    if (isConnectionFailure(error)) return this.connectionError(error);
    return queryFailure(error, doing, { object, user: this.urlParts().user });
  }

  urlParts(): { host: string; port: string; database: string; user: string } {
    try {
      const parsed = new URL(this.#url);
      return {
        host: parsed.hostname || 'localhost',
        port: parsed.port || '5432',
        database: decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || 'postgres',
        user: decodeURIComponent(parsed.username) || 'postgres',
      };
    } catch {
      return { host: 'localhost', port: '5432', database: '?', user: '?' };
    }
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    this.#connecting = undefined;
    if (pool) await pool.end();
  }

  #connectCancelled(): CancelledError {
    return new CancelledError(`connecting to ${this.where} was cancelled.`);
  }
}

/** `promise`, or a rejection with `makeError()` as soon as `signal` aborts (the promise itself keeps running). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal, makeError: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(makeError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
