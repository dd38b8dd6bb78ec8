import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import pg from 'pg';

import { CancelledError, ConnectionError, LockError, isSchemasyncError, messageOf } from '../../errors.ts';
import type { Logger } from '../../log/types.ts';
import { redactUrl } from '../../log/redact.ts';
import type { MigrationFile, VersionRow } from '../../migrations/types.ts';
import { isStaleShadow, SHADOW_PREFIX, shadowName } from '../shadow-name.ts';
import type { ApplyUnit, Catalog, Ledger, LedgerEntry, LockOptions, ShadowDatabase, ShadowUnavailable, Target, TargetFactoryOptions } from '../target.ts';
import { readCatalog } from './catalog.ts';
import { explainConnectionFailure, isConnectionFailure } from './connection.ts';
import { migrationFailure } from './failure.ts';
import { queryFailure } from './query-failure.ts';
import { describeLockHolder, type LockHolderRow } from './holder.ts';
import * as ledgerSql from './ledger.ts';
import * as sql from './queries.ts';

/** Shown in pg_stat_activity, so that a waiting runner (ours or another) can name the lock holder. */
const APPLICATION_NAME = 'schemasync';
/** How often a waiting runner retries the advisory lock. goose retries every 5 s; a dev loop wants less. */
const LOCK_POLL_MS = 500;
/** How often a waiting runner reports who holds the lock. */
const LOCK_NOTICE_MS = 5_000;
const SQLSTATE_UNDEFINED_TABLE = '42P01';
const SQLSTATE_INSUFFICIENT_PRIVILEGE = '42501';
const ROLLED_BACK = 'it was rolled back, nothing of it stays applied';

/**
 * The PostgreSQL target, goose-compatible: goose's version table, one transaction per migration
 * (or autocommit for NO TRANSACTION files), statements sent as goose sends them (simple query
 * protocol, so one "statement" may hold several commands), and goose's Provider lock key.
 */
export function createPostgresTarget(url: string, options: TargetFactoryOptions): Target {
  return new PostgresTarget(url, options.table ?? 'goose_db_version', options.logger);
}

class PostgresTarget implements Target {
  readonly name = 'postgres' as const;
  readonly where: string;
  readonly capabilities = { transactions: true, advisoryLock: true };
  readonly #url: string;
  readonly #table: string;
  readonly #logger: Logger;
  #pool: pg.Pool | undefined;
  #connecting: Promise<pg.Pool> | undefined;
  /** Resolves to whether the ledger table exists and may be written (false: no privilege to create it). */
  #ledgerReady: Promise<boolean> | undefined;

  readonly ledger: Ledger = {
    list: () => this.#listLedger(),
    adopt: (files) => this.#adopt(files),
  };

  constructor(url: string, table: string, logger: Logger) {
    this.#url = url;
    this.#table = table;
    this.#logger = logger;
    this.where = redactUrl(url);
  }

  async connect(signal?: AbortSignal): Promise<void> {
    const fresh = this.#connecting === undefined;
    const pool = await this.#ready(signal);
    if (fresh) return;
    // An open pool proves nothing once the server has gone away: ask it again, so that a caller
    // waiting for the server (app/wait.ts) waits instead of seeing success at once.
    const ping = pool.query('SELECT 1');
    try {
      await (signal ? abortable(ping, signal, () => new CancelledError(`connecting to ${this.where} was cancelled.`)) : ping);
    } catch (error) {
      ping.catch(() => {});
      throw isSchemasyncError(error) ? error : this.#connectionError(error);
    }
  }

  /** The pool, after one successful round trip; concurrent callers share the attempt, a failed one is retried next time. */
  #ready(signal?: AbortSignal): Promise<pg.Pool> {
    if (signal?.aborted) return Promise.reject(new CancelledError(`connecting to ${this.where} was cancelled.`));
    this.#connecting ??= this.#openPool().catch((error: unknown) => {
      this.#connecting = undefined;
      throw error;
    });
    if (!signal) return this.#connecting;
    return abortable(this.#connecting, signal, () => new CancelledError(`connecting to ${this.where} was cancelled.`));
  }

  async #openPool(): Promise<pg.Pool> {
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
    pool.on('error', (error) => this.#logger.debug({ error: messageOf(error) }, 'an idle PostgreSQL connection was closed'));
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      await pool.end().catch(() => {});
      throw this.#connectionError(error);
    }
    this.#pool = pool;
    return pool;
  }

  #connectionError(error: unknown): ConnectionError {
    return new ConnectionError(this.where, explainConnectionFailure(error, this.#urlParts()), { cause: error });
  }

  #urlParts() {
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

  /** A dedicated connection; connection failures become ConnectionError. */
  async #checkout(signal?: AbortSignal): Promise<pg.PoolClient> {
    const pool = await this.#ready(signal);
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw this.#connectionError(error);
    }
    // pg emits 'error' on a checked-out client whose server goes away (the pool only listens
    // while it is idle); unheard, that event kills the daemon. The query in flight rejects with
    // the same error, which is what gets reported.
    if (!heardClients.has(client)) {
      heardClients.add(client);
      client.on('error', (error) => this.#logger.debug({ error: messageOf(error) }, 'a PostgreSQL connection in use failed'));
    }
    return client;
  }

  /**
   * Maps an error that is not a migration statement's own failure. Only a connection problem is
   * a ConnectionError (the daemon waits for the server); anything else the server refused
   * (privilege, schema, read-only, lock timeout) is a QueryError naming what we were doing.
   */
  #queryError(error: unknown, doing: string, object?: string): Error {
    if (isSchemasyncError(error)) return error;
    if (isConnectionFailure(error)) return this.#connectionError(error);
    return queryFailure(error, doing, { object, user: this.#urlParts().user });
  }

  async listVersions(): Promise<VersionRow[]> {
    const pool = await this.#ready();
    try {
      return versionRows(await pool.query(sql.listVersions(this.#table)));
    } catch (error) {
      if ((error as { code?: unknown }).code !== SQLSTATE_UNDEFINED_TABLE) throw this.#queryError(error, "read goose's version table", this.#table);
    }
    await this.#createVersionTable();
    try {
      return versionRows(await pool.query(sql.listVersions(this.#table)));
    } catch (error) {
      throw this.#queryError(error, "read goose's version table", this.#table);
    }
  }

  /**
   * goose's table + version-0 row in one transaction (goose-spec §3 "Creation"). Two runners
   * doing it at once serialize on an advisory transaction lock; the second finds the table and
   * does nothing.
   */
  async #createVersionTable(): Promise<void> {
    const client = await this.#checkout();
    try {
      await client.query('BEGIN');
      await client.query(sql.lockTableCreation());
      const exists = sql.versionTableExists(this.#table);
      const { rows } = await client.query<{ exists: boolean }>(exists.text, exists.values);
      if (!rows[0]?.exists) {
        await client.query(sql.createVersionTable(this.#table));
        await client.query(sql.insertVersion(this.#table), [0, true]);
        this.#logger.debug({ table: this.#table }, `created goose's version table ${this.#table}`);
      }
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      client.release(true);
      throw this.#queryError(error, "create goose's version table", this.#table);
    }
  }

  async apply(unit: ApplyUnit, signal?: AbortSignal): Promise<void> {
    await this.#ensureLedger();
    await (unit.noTransaction ? this.#applyWithoutTransaction(unit, signal) : this.#applyInTransaction([unit], signal));
  }

  async applyAtomically(units: ApplyUnit[], signal?: AbortSignal): Promise<void> {
    await this.#ensureLedger();
    if (units.some((unit) => unit.noTransaction)) {
      // A NO TRANSACTION file cannot join a transaction: fall back to one unit at a time, as documented on Target.
      for (const unit of units) await this.apply(unit, signal);
      return;
    }
    await this.#applyInTransaction(units, signal);
  }

  /** BEGIN → every statement of every unit → its version row → COMMIT; anything failing rolls all of it back. */
  async #applyInTransaction(units: ApplyUnit[], signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw cancelled(units[0], 'before it started, so nothing of it was applied');
    const client = await this.#checkout(signal);
    const guard = await this.#cancellationGuard(client, signal);
    let connectionBroken = false;
    try {
      await client.query('BEGIN');
      for (const unit of units) {
        for (const [index, statement] of unit.statements.entries()) {
          if (guard.aborted) throw cancelled(unit, ROLLED_BACK);
          try {
            // No values: pg uses the simple query protocol, exactly like goose (several commands per statement allowed).
            await client.query(statement.sql);
          } catch (error) {
            if (guard.aborted) throw cancelled(unit, ROLLED_BACK);
            if (isConnectionFailure(error)) throw this.#connectionError(error);
            throw migrationFailure(unit, index, error, { rolledBack: true, appliedStatements: [] });
          }
        }
        await this.#recordVersion(client, unit);
      }
      if (guard.aborted) throw cancelled(units[0], ROLLED_BACK);
      // From here the COMMIT decides: a late abort must not cancel it halfway.
      guard.disarm();
      await client.query('COMMIT');
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        // The server rolls back an open transaction when its connection goes away.
        connectionBroken = true;
      }
      throw isSchemasyncError(error) ? error : this.#queryError(error, 'apply a migration');
    } finally {
      guard.disarm();
      // After an abort a cancel request may still be in flight: never hand this session to someone else.
      client.release(connectionBroken || guard.aborted);
    }
  }

  /**
   * goose §4: autocommit, one statement at a time on ONE connection (so session settings carry
   * over), and the version row written only after every statement succeeded. A failure leaves
   * the earlier statements applied and no version row; the error lists them.
   */
  async #applyWithoutTransaction(unit: ApplyUnit, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw cancelled(unit, 'before it started, so nothing of it was applied');
    const client = await this.#checkout(signal);
    const guard = await this.#cancellationGuard(client, signal);
    const applied: number[] = [];
    const appliedSoFar = () =>
      applied.length === 0 ? 'nothing of it was applied' : `NO TRANSACTION file: statements ${applied.map((i) => i + 1).join(', ')} stay applied`;
    try {
      for (const [index, statement] of unit.statements.entries()) {
        if (guard.aborted) throw cancelled(unit, appliedSoFar());
        try {
          await client.query(statement.sql);
        } catch (error) {
          if (guard.aborted) throw cancelled(unit, appliedSoFar());
          if (isConnectionFailure(error)) throw this.#connectionError(error);
          throw migrationFailure(unit, index, error, { rolledBack: false, appliedStatements: [...applied] });
        }
        applied.push(index);
      }
      guard.disarm();
      await this.#recordVersion(client, unit);
    } catch (error) {
      throw isSchemasyncError(error) ? error : this.#queryError(error, `apply ${unit.file.path}`);
    } finally {
      guard.disarm();
      client.release(guard.aborted);
    }
  }

  /**
   * goose's version row and schemasync's ledger entry, on the migration's own connection: inside
   * its transaction when it has one, so the ledger can never disagree with the applied schema.
   */
  async #recordVersion(client: pg.PoolClient, unit: ApplyUnit): Promise<void> {
    const ledger = await this.#ensureLedger();
    const up = unit.direction === 'up';
    const version = unit.file.version;
    await client.query(up ? sql.insertVersion(this.#table) : sql.deleteVersion(this.#table), up ? [version, true] : [version]).catch((error: unknown) => {
      throw this.#queryError(error, `${up ? 'record' : 'remove'} version ${version} in goose's version table`, this.#table);
    });
    if (!ledger) return;
    await client
      .query(up ? ledgerSql.upsertEntry() : ledgerSql.deleteEntry(), up ? ledgerSql.upsertValues(unit.file, 'schemasync') : [version])
      .catch((error: unknown) => {
        throw this.#queryError(error, `${up ? 'record' : 'remove'} version ${version} in schemasync's ledger`, ledgerSql.LEDGER_TABLE);
      });
  }

  /**
   * Creates the ledger once per target (serialized with other runners by the table-creation
   * advisory lock). A role that may not create a schema still migrates: the ledger is off and
   * the edited-migration check says so.
   */
  #ensureLedger(): Promise<boolean> {
    this.#ledgerReady ??= this.#createLedger().catch((error: unknown) => {
      this.#ledgerReady = undefined;
      throw error;
    });
    return this.#ledgerReady;
  }

  async #createLedger(): Promise<boolean> {
    const pool = await this.#ready();
    const { rows } = await pool.query<{ exists: boolean }>(ledgerSql.ledgerExists()).catch((error: unknown) => {
      throw this.#queryError(error, "look for schemasync's ledger", ledgerSql.LEDGER_TABLE);
    });
    if (rows[0]?.exists) return true;
    const client = await this.#checkout();
    try {
      await client.query('BEGIN');
      await client.query(sql.lockTableCreation());
      for (const statement of ledgerSql.createLedger()) await client.query(statement);
      await client.query('COMMIT');
      client.release();
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      client.release(true);
      if ((error as { code?: unknown }).code === SQLSTATE_INSUFFICIENT_PRIVILEGE) {
        this.#logger.warn(
          { event: 'ledger:off', error: messageOf(error) },
          `cannot create schemasync's ledger ${ledgerSql.LEDGER_TABLE} on ${this.where} (${messageOf(error)}); migrations still apply, but edited migrations cannot be detected`,
        );
        return false;
      }
      throw this.#queryError(error, "create schemasync's ledger", ledgerSql.LEDGER_TABLE);
    }
  }

  async #listLedger(): Promise<LedgerEntry[]> {
    const pool = await this.#ready();
    try {
      const { rows } = await pool.query<{ exists: boolean }>(ledgerSql.ledgerExists());
      if (!rows[0]?.exists) return [];
      return (await pool.query<ledgerSql.LedgerRow>(ledgerSql.listEntries())).rows.map(ledgerSql.entryFromRow);
    } catch (error) {
      throw this.#queryError(error, "read schemasync's ledger", ledgerSql.LEDGER_TABLE);
    }
  }

  async #adopt(files: MigrationFile[]): Promise<void> {
    if (files.length === 0 || !(await this.#ensureLedger())) return;
    const client = await this.#checkout();
    try {
      await client.query('BEGIN');
      for (const file of files) await client.query(ledgerSql.upsertEntry(), ledgerSql.upsertValues(file, 'adopted'));
      await client.query('COMMIT');
      client.release();
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      client.release(true);
      throw this.#queryError(error, "record goose's versions in schemasync's ledger", ledgerSql.LEDGER_TABLE);
    }
  }

  /**
   * `CREATE DATABASE schemasync_shadow_<time>_<random>` on this server with this URL's
   * credentials; first drops shadows older than an hour (left by a killed run).
   */
  async createShadow(): Promise<ShadowDatabase | ShadowUnavailable> {
    const pool = await this.#ready();
    const stale = await pool
      .query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, [SHADOW_PREFIX])
      .catch((error: unknown) => {
        throw this.#queryError(error, 'list shadow databases');
      });
    for (const { datname } of stale.rows.filter((row) => isStaleShadow(row.datname, Date.now()))) {
      await this.#dropDatabase(datname);
    }
    const name = shadowName(Date.now(), randomBytes(4).toString('hex'));
    try {
      await pool.query(`CREATE DATABASE ${name}`);
    } catch (error) {
      if ((error as { code?: unknown }).code === SQLSTATE_INSUFFICIENT_PRIVILEGE) {
        return {
          unavailable: `the role "${this.#urlParts().user}" may not create databases on ${this.where} (${messageOf(error)}); grant it CREATEDB to compare the database with its migrations`,
        };
      }
      throw this.#queryError(error, 'create a shadow database', name);
    }
    const url = new URL(this.#url);
    url.pathname = `/${name}`;
    const target = new PostgresTarget(url.toString(), this.#table, this.#logger);
    let dropped: Promise<void> | undefined;
    return {
      name,
      target,
      drop: () =>
        (dropped ??= (async () => {
          await target.close().catch(() => {});
          await this.#dropDatabase(name);
        })()),
    };
  }

  /** Drops a shadow database; ends its sessions first (WITH FORCE, PostgreSQL 13+). Never throws: a leftover is dropped by a later run. */
  async #dropDatabase(name: string): Promise<void> {
    try {
      const pool = await this.#ready();
      await pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } catch (error) {
      this.#logger.warn(
        { event: 'shadow:drop-failed', database: name, error: messageOf(error) },
        `could not drop the shadow database ${name}: ${messageOf(error)}`,
      );
    }
  }

  /**
   * While armed, an abort of `signal` cancels whatever `client` is running, from a separate
   * connection (pg_cancel_backend), so the running statement fails at once with 57014 and the
   * caller rolls back. `aborted` tells the caller the failure was ours.
   */
  async #cancellationGuard(client: pg.PoolClient, signal: AbortSignal | undefined) {
    const state = { aborted: false, disarm: () => {} };
    if (!signal) return state;
    // The server announces its pid at connect (BackendKeyData); asking again would cost a round
    // trip per migration, ~2,000 of them on a first start.
    const pid = backendPidOf(client) ?? (await client.query<{ pid: number }>(sql.backendPid())).rows[0]?.pid;
    const onAbort = () => {
      state.aborted = true;
      if (pid !== undefined) void this.#cancelBackend(pid);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    state.disarm = () => signal.removeEventListener('abort', onAbort);
    if (signal.aborted) state.aborted = true;
    return state;
  }

  async #cancelBackend(pid: number): Promise<void> {
    // A fresh client, not the pool: the pool may be fully checked out by the very work we cancel.
    const client = new pg.Client({ connectionString: this.#url, application_name: APPLICATION_NAME, connectionTimeoutMillis: 5_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query(sql.cancelBackend(), [pid]);
    } catch (error) {
      this.#logger.warn({ pid, error: messageOf(error) }, 'could not cancel the running migration statement');
    } finally {
      await client.end().catch(() => {});
    }
  }

  /**
   * goose's session lock (pg_try_advisory_lock on a dedicated connection), polled. A session lock
   * belongs to its connection: if the holder is killed, the server ends its session and the lock
   * vanishes with it, so a crashed runner never blocks the next one.
   */
  async withLock<T>(fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
    const client = await this.#checkout(options.signal);
    const onClientError = (error: Error) => this.#logger.warn({ error: messageOf(error) }, 'the connection holding the migration lock failed');
    client.on('error', onClientError);
    try {
      await this.#acquireLock(client, options);
    } catch (error) {
      client.off('error', onClientError);
      // Destroyed, not pooled: an attempt whose answer was lost may still have taken the lock.
      client.release(true);
      throw isSchemasyncError(error) ? error : this.#queryError(error, 'take the migration lock');
    }
    let broken = false;
    try {
      // fn's own errors pass through untouched.
      return await fn();
    } finally {
      try {
        await client.query(sql.advisoryUnlock());
      } catch {
        // Dropping the connection ends the session, which releases the lock.
        broken = true;
      }
      client.off('error', onClientError);
      client.release(broken);
    }
  }

  /** Polls pg_try_advisory_lock until it succeeds; LockError after `timeoutMs`, CancelledError on abort. */
  async #acquireLock(client: pg.PoolClient, { signal, timeoutMs, onWait }: LockOptions): Promise<void> {
    const started = Date.now();
    let lastNotice = -Infinity;
    for (;;) {
      if (signal?.aborted) throw new CancelledError(`waiting for the migration lock on ${this.where} was cancelled.`);
      const { rows } = await client.query<{ locked: boolean }>(sql.tryAdvisoryLock());
      if (rows[0]?.locked) return;
      const waited = Date.now() - started;
      if (timeoutMs !== undefined && waited >= timeoutMs) {
        const holder = await this.#describeHolder(client);
        throw new LockError(
          `the migration lock on ${this.where} is still held by ${holder} after ${Math.round(waited / 1000)} s; stop that runner or try again later.`,
        );
      }
      if (onWait && Date.now() - lastNotice >= LOCK_NOTICE_MS) {
        lastNotice = Date.now();
        onWait(await this.#describeHolder(client));
      }
      try {
        await sleep(LOCK_POLL_MS, undefined, { signal });
      } catch {
        throw new CancelledError(`waiting for the migration lock on ${this.where} was cancelled.`);
      }
    }
  }

  async #describeHolder(client: pg.PoolClient): Promise<string> {
    const { rows } = await client.query<LockHolderRow>(sql.lockHolder());
    return describeLockHolder(rows);
  }

  async countRows(table: string): Promise<number | undefined> {
    // Only a (qualified, possibly quoted) name: the count must never run anything else.
    if (!/^[\w."$]+$/.test(table)) return undefined;
    try {
      const pool = await this.#ready();
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      return rows[0] ? Number(rows[0].n) : undefined;
    } catch {
      return undefined;
    }
  }

  async introspect(): Promise<Catalog> {
    const client = await this.#checkout();
    let broken = false;
    try {
      // One snapshot for all catalog queries: a concurrent migration cannot tear the picture.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const catalog = await readCatalog(async (text, values) => (await client.query<Record<string, unknown>>(text, values)).rows, this.#table);
      await client.query('COMMIT');
      return catalog;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw this.#queryError(error, 'read the schema');
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    this.#connecting = undefined;
    if (pool) await pool.end();
  }
}

function versionRows(result: pg.QueryResult): VersionRow[] {
  return result.rows.map((row: { version_id: string | number; is_applied: boolean; tstamp: Date | null }) => ({
    version: Number(row.version_id),
    isApplied: row.is_applied,
    appliedAt: row.tstamp ?? null,
  }));
}

/** The backend pid pg read from the server's BackendKeyData message (`processID`, not in pg's typings). */
function backendPidOf(client: pg.PoolClient): number | undefined {
  const pid = (client as { processID?: unknown }).processID;
  return typeof pid === 'number' && pid > 0 ? pid : undefined;
}

function cancelled(unit: ApplyUnit | undefined, outcome: string): CancelledError {
  const what = unit ? `${unit.direction} of ${unit.file.path}` : 'the migration';
  return new CancelledError(`postgres: ${what} was cancelled; ${outcome}.`);
}

/** `promise`, or a rejection with `makeError()` as soon as `signal` aborts (the promise itself keeps running). */
/** Pooled clients that already have schemasync's 'error' listener (clients are reused). */
const heardClients = new WeakSet<pg.PoolClient>();

function abortable<T>(promise: Promise<T>, signal: AbortSignal, makeError: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(makeError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
