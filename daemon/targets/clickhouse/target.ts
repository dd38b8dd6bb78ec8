/**
 * The ClickHouse target: goose-compatible migrations over the HTTP interface.
 *
 * ClickHouse has no transactions: each statement takes effect when it succeeds (apply.ts). Each
 * job lives in its own module: connection.ts, versions.ts (goose's table), ledger.ts, apply.ts,
 * lock.ts, shadow.ts, catalog.ts; all SQL in queries.ts and, for cluster mode, cluster.ts.
 *
 * Cluster mode (`cluster` option, off by default): the bookkeeping tables are replicated across
 * every node and go through a quorum session (cluster.ts, cluster-session.ts); goose's
 * single-server table and mutations are not used. Everything else is the same.
 */
import { ConnectionError, isSchemasyncError, messageOf } from '../../errors.ts';
import type { Logger } from '../../log/types.ts';
import { parseMigration } from '../../migrations/parse.ts';
import type { MigrationFile, Statement, VersionRow } from '../../migrations/types.ts';
import { createShadow } from '../shadow.ts';
import type { ApplyUnit, Catalog, LockOptions, ShadowDatabase, ShadowUnavailable, TableShape, Target, TargetFactoryOptions } from '../target.ts';
import { applyUnit, type ApplyContext } from './apply.ts';
import { readCatalog } from './catalog.ts';
import { hasColumnPosition, readTables } from './columns.ts';
import * as clusterSql from './cluster.ts';
import { clusterDdlWarnings } from './cluster-ddl.ts';
import { clusterSession, type ClusterSession } from './cluster-session.ts';
import { openClickHouseSession, type ClickHouseSession, type SessionOptions } from './connection.ts';
import { ClickHouseLedger } from './ledger.ts';
import { ClickHouseLock, type ClickHouseLockOptions } from './lock.ts';
import * as sql from './queries.ts';
import { bookkeepingError } from './query-failure.ts';
import { Revisions } from './revisions.ts';
import { clickhouseShadowDriver } from './shadow.ts';
import { ClickHouseVersions } from './versions.ts';

/** Bound on waiting for a down's ALTER … DELETE mutation on servers without mutations_sync. */
const MUTATION_TIMEOUT_MS = 60_000;

export interface ClickHouseTargetOptions extends TargetFactoryOptions {
  lock?: ClickHouseLockOptions;
  /** Cluster mode, off when undefined: replicated bookkeeping tables, quorum writes (cluster.ts). */
  cluster?: clusterSql.ClusterOptions;
  /** Test seam (connection.ts): the tests' in-process current engine. */
  session?: SessionOptions;
}

/**
 * `url` is `http://user:password@host:8123/database` (the HTTP interface; database in the path,
 * `default` when absent). Nothing connects until `connect()` or the first query.
 */
export function createClickHouseTarget(url: string, options: ClickHouseTargetOptions): Target {
  return new ClickHouseTarget(url, options);
}

class ClickHouseTarget implements Target {
  readonly name = 'clickhouse' as const;
  readonly where: string;
  readonly ledger: ClickHouseLedger;

  private readonly session: ClickHouseSession;
  /** In cluster mode, the quorum session every bookkeeping query goes through. */
  private readonly cluster: ClusterSession | undefined;
  /** Cluster-mode warnings already logged (file:line:text), so each is said once per process. */
  private readonly warned = new Set<string>();
  private readonly lock: ClickHouseLock;
  private readonly logger: Logger;
  private readonly versions: ClickHouseVersions;
  private readonly applying: ApplyContext;

  constructor(
    private readonly url: string,
    private readonly options: ClickHouseTargetOptions,
  ) {
    this.session = openClickHouseSession(url, options.session);
    this.where = options.cluster ? `${this.session.where} (cluster ${options.cluster.name})` : this.session.where;
    this.logger = options.logger.child({ target: 'clickhouse' });
    this.cluster = options.cluster ? clusterSession(this.session, options.cluster.name) : undefined;
    /** The session for goose's table, the ledger and the lock: `cluster` when on, else `session`. */
    const books = this.cluster ?? this.session;
    const revisions = new Revisions();
    const table = sql.sqlIdentifier(options.table ?? 'goose_db_version');
    this.versions = new ClickHouseVersions(
      this.session,
      this.cluster,
      { table, where: this.where, mutationTimeoutMs: MUTATION_TIMEOUT_MS },
      revisions,
      this.logger,
    );
    this.ledger = new ClickHouseLedger(books, this.cluster, this.session.database, revisions, this.logger);
    const lockDdl = this.cluster ? clusterSql.clusterCreate(sql.createLockTable(), this.cluster.cluster, this.session.database, sql.LOCK_TABLE) : undefined;
    this.lock = new ClickHouseLock(books, this.logger, options.lock, sql.LOCK_TABLE, lockDdl);
    this.applying = { session: this.session, versions: this.versions, ledger: this.ledger, where: this.where, clusterMode: this.cluster !== undefined };
  }

  /** Asks the server every time: after an outage, "connected once" must not pass for "answers now". */
  async connect(signal?: AbortSignal): Promise<void> {
    try {
      await this.session.rows(sql.PING, signal);
    } catch (error) {
      // The server answering with an error here (wrong user, unknown database) is still a connection problem.
      if (isSchemasyncError(error)) throw error;
      throw new ConnectionError(this.where, `ClickHouse could not answer a first query: ${messageOf(error)}`, { cause: error });
    }
    if (!this.cluster) return;
    // A node answers SELECT 1 without ZooKeeper; cluster mode cannot work without it, so this
    // is "not reachable" too (the daemon then waits once, instead of failing every run).
    let down: string[];
    let quorum: number;
    try {
      await this.cluster.rows(clusterSql.ZOOKEEPER_PROBE, signal);
      quorum = await this.cluster.quorum(signal);
      down = await this.cluster.inactiveNodes(this.session.database, sql.LOCK_TABLE, signal);
    } catch (error) {
      throw bookkeepingError(error, `reach ZooKeeper for cluster ${this.cluster.cluster}`);
    }
    // Every bookkeeping write needs every node: say so now rather than fail on the first write
    // (and the daemon waits for the node, logging once, instead of failing run after run).
    if (down.length > 0) {
      throw new ConnectionError(
        this.session.where,
        `node ${down.join(', ')} of cluster ${this.cluster.cluster} is not active (no ZooKeeper session); cluster mode writes every version, ledger and lock row with insert_quorum=${quorum} (every node), so nothing can be applied or recorded until it is back`,
      );
    }
  }

  /**
   * Cluster mode only: logs, once per file and line, the statements of `file` that would run on
   * one node only (no ON CLUSTER) or create a non-replicated table. goose accepts them, so they
   * are warnings; called by the validate step and before each apply.
   */
  review(file: MigrationFile, env: Record<string, string | undefined> = {}): void {
    if (!this.cluster) return;
    for (const direction of ['up', 'down'] as const) {
      let statements: Statement[];
      try {
        statements = parseMigration(file.text, direction, { file: file.path, env }).statements;
      } catch {
        continue; // the parse error is reported where the file is applied
      }
      for (const warning of clusterDdlWarnings(statements, this.cluster.cluster)) {
        const key = `${file.path}:${warning.line}:${warning.message}`;
        if (this.warned.has(key)) continue;
        this.warned.add(key);
        this.logger.warn(
          { event: 'validate:cluster', file: file.path, line: warning.line, direction },
          `${file.path}:${warning.line}: ${warning.message} (cluster mode)`,
        );
      }
    }
  }

  withLock<T>(fn: () => Promise<T>, options?: LockOptions): Promise<T> {
    return this.lock.withLock(fn, options);
  }

  listVersions(): Promise<VersionRow[]> {
    return this.versions.list();
  }

  async apply(unit: ApplyUnit, signal?: AbortSignal): Promise<void> {
    this.review(unit.file);
    await applyUnit(this.applying, unit, signal);
  }

  /**
   * NOT atomic: ClickHouse has no transactions, so the units run one after another and a
   * failure leaves the units before it applied (the error names the failing file).
   */
  async applyAtomically(units: ApplyUnit[], signal?: AbortSignal): Promise<void> {
    for (const unit of units) await this.apply(unit, signal);
  }

  /** `CREATE DATABASE schemasync_shadow_<time>_<random>` on this server; first drops shadows older than an hour. */
  async createShadow(): Promise<ShadowDatabase | ShadowUnavailable> {
    if (this.cluster) {
      return {
        unavailable: `cluster mode makes no shadow database: the migrations' ON CLUSTER statements would run on every node of ${this.cluster.cluster}, outside a database that exists on one`,
      };
    }
    // goose's table named `db.goose_db_version` (LangWatch's -table) would be the live one: the
    // shadow keeps its versions in a table of its own database.
    const table = this.options.table?.split('.').pop();
    const open = (url: string) => new ClickHouseTarget(url, { ...this.options, ...(table ? { table } : {}) });
    return createShadow(clickhouseShadowDriver(this.session, this.url, this.where, this.logger, open));
  }

  async introspect(): Promise<Catalog> {
    try {
      return await readCatalog(this.session, [localTable(this.versions.table, this.session.database), sql.LOCK_TABLE, sql.LEDGER_TABLE]);
    } catch (error) {
      throw bookkeepingError(error, 'describe its schema');
    }
  }

  /** Whether system.columns has `position` (servers differ), asked on the first describeTables. */
  private columnPosition: boolean | undefined;

  async describeTables(signal?: AbortSignal): Promise<TableShape[]> {
    try {
      this.columnPosition ??= await hasColumnPosition(this.session, signal);
      return await readTables(this.session, [this.versions.table, sql.LOCK_TABLE, sql.LEDGER_TABLE], this.columnPosition, signal);
    } catch (error) {
      throw bookkeepingError(error, 'describe its tables');
    }
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}

/** goose's table as system.tables names it in `database`: `db.goose_db_version` → `goose_db_version` when `db` is this database. */
function localTable(table: string, database: string): string {
  const [qualifier, name] = table.split('.');
  return name !== undefined && qualifier === database ? name : table;
}
