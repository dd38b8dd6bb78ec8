import type { Logger } from '../../log/types.ts';
import type { VersionRow } from '../../migrations/types.ts';
import { createShadow } from '../shadow.ts';
import type { ApplyUnit, Catalog, LockOptions, ShadowDatabase, ShadowUnavailable, Target, TargetFactoryOptions } from '../target.ts';
import { applyInTransaction, applyWithoutTransaction, type ApplyContext } from './apply.ts';
import { readCatalog } from './catalog.ts';
import { PostgresLedger } from './ledger.ts';
import { withAdvisoryLock } from './lock.ts';
import { PostgresPool } from './pool.ts';
import * as sql from './queries.ts';
import { postgresShadowDriver } from './shadow.ts';
import { withTransaction } from './transaction.ts';
import { VersionTable } from './versions.ts';

/**
 * The PostgreSQL target, goose-compatible: goose's version table, one transaction per migration
 * (or autocommit for NO TRANSACTION files), statements sent as goose sends them (simple query
 * protocol, so one "statement" may hold several commands), and goose's Provider lock key.
 * Each job lives in its own module: pool.ts (connections and error mapping), versions.ts,
 * ledger.ts, apply.ts (+ cancel.ts, transaction.ts), lock.ts, shadow.ts, catalog.ts.
 */
export function createPostgresTarget(url: string, options: TargetFactoryOptions): Target {
  return new PostgresTarget(url, options.table ?? 'goose_db_version', options.logger);
}

class PostgresTarget implements Target {
  readonly name = 'postgres' as const;
  readonly where: string;
  readonly ledger: PostgresLedger;
  readonly #pool: PostgresPool;
  readonly #versions: VersionTable;
  readonly #logger: Logger;
  readonly #apply: ApplyContext;

  constructor(url: string, table: string, logger: Logger) {
    this.#pool = new PostgresPool(url, logger);
    this.#logger = logger;
    this.where = this.#pool.where;
    this.#versions = new VersionTable(this.#pool, table, logger);
    this.ledger = new PostgresLedger(this.#pool, logger);
    this.#apply = { pool: this.#pool, versions: this.#versions, ledger: this.ledger, logger };
  }

  connect(signal?: AbortSignal): Promise<void> {
    return this.#pool.connect(signal);
  }

  listVersions(): Promise<VersionRow[]> {
    return this.#versions.list();
  }

  async apply(unit: ApplyUnit, signal?: AbortSignal): Promise<void> {
    await this.ledger.ensure();
    await (unit.noTransaction ? applyWithoutTransaction(this.#apply, unit, signal) : applyInTransaction(this.#apply, [unit], signal));
  }

  async applyAtomically(units: ApplyUnit[], signal?: AbortSignal): Promise<void> {
    await this.ledger.ensure();
    if (units.some((unit) => unit.noTransaction)) {
      // A NO TRANSACTION file cannot join a transaction: fall back to one unit at a time, as documented on Target.
      for (const unit of units) await this.apply(unit, signal);
      return;
    }
    await applyInTransaction(this.#apply, units, signal);
  }

  withLock<T>(fn: () => Promise<T>, options?: LockOptions): Promise<T> {
    return withAdvisoryLock(this.#pool, this.#logger, fn, options);
  }

  /**
   * `CREATE DATABASE schemasync_shadow_<time>_<random>` on this server with this URL's
   * credentials; first drops shadows older than an hour (left by a killed run).
   */
  createShadow(): Promise<ShadowDatabase | ShadowUnavailable> {
    return createShadow(postgresShadowDriver(this.#pool, this.#logger, (url) => new PostgresTarget(url, this.#versions.name, this.#logger)));
  }

  async countRows(table: string): Promise<number | undefined> {
    // Only a (qualified, possibly quoted) name: the count must never run anything else.
    if (!/^[\w."$]+$/.test(table)) return undefined;
    try {
      const pool = await this.#pool.ready();
      const { rows } = await pool.query<{ n: string }>(sql.countRows(table));
      return rows[0] ? Number(rows[0].n) : undefined;
    } catch {
      return undefined;
    }
  }

  async introspect(): Promise<Catalog> {
    const client = await this.#pool.checkout();
    try {
      return await withTransaction(
        client,
        async () => {
          await client.query(sql.CATALOG_SESSION);
          return readCatalog(async (text, values) => (await client.query<Record<string, unknown>>(text, values)).rows, this.#versions.name);
        },
        { begin: sql.BEGIN_SNAPSHOT },
      );
    } catch (error) {
      throw this.#pool.queryError(error, 'read the schema');
    }
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
