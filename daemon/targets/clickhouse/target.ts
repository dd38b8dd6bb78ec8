/**
 * The ClickHouse target: goose-compatible migrations over the HTTP interface.
 *
 * ClickHouse has no transactions: each statement takes effect when it succeeds. A file is
 * applied statement by statement (the server refuses several statements in one query) and its
 * version row is written only after every statement succeeded, exactly as goose does, so a
 * failure leaves the earlier statements applied and no version row (goose issue #1106). The
 * MigrationError says which statements stay applied.
 *
 * Cluster mode (`cluster` option, off by default): the bookkeeping tables are replicated across
 * every node and go through a quorum session (cluster.ts, cluster-session.ts); goose's
 * single-server table and mutations are not used. Everything else is the same.
 */
import { randomBytes } from 'node:crypto';

import {
  CancelledError,
  hasErrorCode,
  ConfigError,
  ConnectionError,
  MigrationError,
  isSchemasyncError,
  messageOf,
  type MigrationErrorDetails,
} from '../../errors.ts';
import type { Logger } from '../../log/types.ts';
import { codeFrame } from '../../migrations/frame.ts';
import { parseMigration, positionInFile } from '../../migrations/parse.ts';
import type { MigrationFile, Statement, VersionRow } from '../../migrations/types.ts';
import { isStaleShadow, SHADOW_PREFIX, shadowName } from '../shadow-name.ts';
import type { ApplyUnit, Catalog, Ledger, LedgerEntry, LockOptions, ShadowDatabase, ShadowUnavailable, Target, TargetFactoryOptions } from '../target.ts';
import { readCatalog } from './catalog.ts';
import * as clusterSql from './cluster.ts';
import { clusterDdlWarnings, ddlTimeoutNote } from './cluster-ddl.ts';
import { clusterSession, type ClusterSession } from './cluster-session.ts';
import { openClickHouseSession, ServerQueryError, type ClickHouseSession } from './connection.ts';
import * as ledgerSql from './ledger.ts';
import { ClickHouseLock, createLockTable, LOCK_TABLE, sqlString, type ClickHouseLockOptions } from './lock.ts';
import * as sql from './queries.ts';
import { clickhouseQueryFailure } from './query-failure.ts';
import { errorOffset, rejectsMutationsSync } from './server-error.ts';

export interface ClickHouseTargetOptions extends TargetFactoryOptions {
  lock?: ClickHouseLockOptions;
  /** Bound on waiting for a down's ALTER … DELETE mutation on servers without mutations_sync. */
  mutationTimeoutMs?: number;
  /** Cluster mode, off when undefined: replicated bookkeeping tables, quorum writes (cluster.ts). */
  cluster?: clusterSql.ClusterOptions;
}

const DEFAULT_TABLE = 'goose_db_version';
/** ClickHouse's ACCESS_DENIED (newer servers) and READONLY (18.16's answer for a read-only user). */
const NO_PERMISSION_CODES = new Set(['497', '164']);

/**
 * `url` is `http://user:password@host:8123/database` (the HTTP interface; database in the path,
 * `default` when absent). Nothing connects until `connect()` or the first query.
 */
export function createClickHouseTarget(url: string, options: ClickHouseTargetOptions): Target {
  return new ClickHouseTarget(url, options);
}

interface VersionListRow {
  version_id: string | number;
  is_applied: number;
  applied_at: string | number;
}

class ClickHouseTarget implements Target {
  readonly name = 'clickhouse' as const;
  readonly where: string;
  readonly capabilities = { transactions: false, advisoryLock: false };

  private readonly session: ClickHouseSession;
  /** In cluster mode, the quorum session every bookkeeping query goes through. */
  private readonly cluster: ClusterSession | undefined;
  /** The session for goose's table, the ledger and the lock: `cluster` when on, else `session`. */
  private readonly books: ClickHouseSession;
  /** Cluster-mode warnings already logged (file:line:text), so each is said once per process. */
  private readonly warned = new Set<string>();
  private readonly lock: ClickHouseLock;
  private readonly logger: Logger;
  private readonly table: string;
  private readonly mutationTimeoutMs: number;
  /** Learned on the first down: whether the server accepts `SETTINGS mutations_sync = 2`. */
  private mutationsSync: boolean | undefined;
  private versionTableReady = false;
  private ledgerReady = false;
  private lastRevision = 0;
  private readonly url: string;
  private readonly options: ClickHouseTargetOptions;

  readonly ledger: Ledger = {
    list: () => this.listLedger(),
    adopt: (files) => this.adopt(files),
  };

  constructor(url: string, options: ClickHouseTargetOptions) {
    this.url = url;
    this.options = options;
    this.session = openClickHouseSession(url);
    this.where = options.cluster ? `${this.session.where} (cluster ${options.cluster.name})` : this.session.where;
    this.logger = options.logger.child({ target: 'clickhouse' });
    this.table = sql.sqlIdentifier(options.table ?? DEFAULT_TABLE);
    this.mutationTimeoutMs = options.mutationTimeoutMs ?? 60_000;
    this.cluster = options.cluster ? clusterSession(this.session, options.cluster.name) : undefined;
    this.books = this.cluster ?? this.session;
    const lockDdl = this.cluster ? clusterSql.clusterCreate(createLockTable(), this.cluster.cluster, this.session.database, LOCK_TABLE) : undefined;
    this.lock = new ClickHouseLock(this.books, this.logger, options.lock, LOCK_TABLE, lockDdl);
  }

  /** Database and bare name of goose's table (`-table` may be `database.table`). */
  private get tableParts(): [string, string] {
    return this.table.includes('.') ? (this.table.split('.') as [string, string]) : [this.session.database, this.table];
  }

  /** Asks the server every time: after an outage, "connected once" must not pass for "answers now". */
  async connect(signal?: AbortSignal): Promise<void> {
    try {
      await this.session.rows('SELECT 1 AS ok', signal);
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
      down = await this.cluster.inactiveNodes(this.session.database, LOCK_TABLE, signal);
    } catch (error) {
      throw this.bookkeepingError(error, `reach ZooKeeper for cluster ${this.cluster.cluster}`);
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

  async listVersions(): Promise<VersionRow[]> {
    if (this.cluster) return this.listClusterVersions();
    try {
      await this.ensureVersionTable();
      const rows = await this.session.rows<VersionListRow>(sql.listVersions(this.table));
      return rows.map((row) => ({
        version: Number(row.version_id),
        isApplied: Number(row.is_applied) === 1,
        appliedAt: new Date(Number(row.applied_at) * 1000),
      }));
    } catch (error) {
      throw this.bookkeepingError(error, `read goose's version table ${this.table}`);
    }
  }

  /** Cluster mode: the versions whose newest row is an applied row, read with sequential consistency. */
  private async listClusterVersions(): Promise<VersionRow[]> {
    try {
      await this.ensureVersionTable();
      const rows = await this.books.rows<{ version_id: string | number; applied_at: string | number }>(clusterSql.listAppliedVersions(this.table));
      const [top] = await this.books.rows<{ revision: string | number }>(clusterSql.maxRevision(this.table));
      // The next write must sort after every row, whatever the clocks of other runners' machines.
      this.lastRevision = Math.max(this.lastRevision, Number(top?.revision ?? 0));
      return rows.map((row) => ({ version: Number(row.version_id), isApplied: true, appliedAt: new Date(Number(row.applied_at) * 1000) }));
    } catch (error) {
      throw this.bookkeepingError(error, `read the version table ${this.table} of cluster ${this.cluster?.cluster}`);
    }
  }

  /** Cluster mode: the replicated table ON CLUSTER with its version-0 row; refuses a plain goose table. */
  private async ensureClusterVersionTable(cluster: ClusterSession): Promise<void> {
    const [database, bare] = this.tableParts;
    const [exists] = await cluster.rows<{ result: number }>(sql.versionTableExists(this.table));
    if (Number(exists?.result) !== 1) {
      await cluster.command(clusterSql.createVersionTable(this.table, cluster.cluster, database));
      await cluster.command(clusterSql.insertVersionRow(this.table, 0, true, this.nextRevision()));
      this.logger.debug({ table: this.table }, `created the replicated version table ${this.table} on cluster ${cluster.cluster}`);
    }
    const [engine] = await cluster.rows<{ engine: string }>(clusterSql.tableEngine(database, bare));
    if (!engine?.engine.startsWith('Replicated')) {
      throw new ConfigError([
        `${this.table} on ${this.where} is a ${engine?.engine ?? 'missing'} table, not the replicated table cluster mode keeps (goose's single-server table?); rename it, or run without --clickhouse-cluster`,
      ]);
    }
  }

  /** Creates goose's table with its version-0 row when missing, like every goose CLI command. */
  private async ensureVersionTable(): Promise<void> {
    if (this.versionTableReady) return;
    if (this.cluster) {
      await this.ensureClusterVersionTable(this.cluster);
      this.versionTableReady = true;
      return;
    }
    const [exists] = await this.session.rows<{ result: number }>(sql.versionTableExists(this.table));
    if (Number(exists?.result) !== 1) {
      await this.session.command(sql.createVersionTable(this.table));
      await this.session.command(sql.insertVersion(this.table, 0));
      this.logger.debug({ table: this.table }, `created goose's version table ${this.table}`);
    }
    this.versionTableReady = true;
  }

  async apply(unit: ApplyUnit, signal?: AbortSignal): Promise<void> {
    const { file, direction, statements } = unit;
    this.review(file);
    try {
      await this.ensureVersionTable();
    } catch (error) {
      throw this.bookkeepingError(error, `prepare goose's version table ${this.table}`);
    }
    for (const [index, statement] of statements.entries()) {
      try {
        await this.session.command(statement.sql, signal);
      } catch (error) {
        if (hasErrorCode(error, 'CANCELLED')) throw cancelledMidFile(error, unit, index);
        if (!(error instanceof ServerQueryError)) throw error;
        const note = this.cluster && error.server.code === '159' ? await ddlTimeoutNote(this.session, error.server.message) : '';
        throw migrationFailure(unit, index, statement, error, note);
      }
    }
    // Not cancellable: once every statement ran, the version must be recorded, or the next run
    // would apply the file again.
    try {
      if (this.cluster) await this.cluster.command(clusterSql.insertVersionRow(this.table, file.version, direction === 'up', this.nextRevision()));
      else if (direction === 'up') await this.session.command(sql.insertVersion(this.table, file.version));
      else await this.deleteVersion(file.version);
    } catch (error) {
      if (this.cluster) throw notRecorded(this.where, unit, error);
      throw this.bookkeepingError(error, `record version ${file.version} (${file.name}) in ${this.table} after its ${direction} statements all ran`);
    }
    await this.recordInLedger(unit);
  }

  /**
   * After goose's row (no transactions here): a failure is logged, not thrown, because the
   * migration itself is applied and recorded; only the edited-migration check loses this entry.
   */
  private async recordInLedger({ file, direction }: ApplyUnit): Promise<void> {
    try {
      await this.ensureLedger();
      const revision = this.nextRevision();
      await this.books.command(direction === 'up' ? ledgerSql.upsertEntry(file, 'schemasync', revision) : ledgerSql.removeEntry(file.version, revision));
    } catch (error) {
      this.logger.warn(
        { event: 'ledger:write-failed', file: file.path, error: messageOf(error) },
        `${file.name} is applied, but schemasync's ledger ${ledgerSql.LEDGER_TABLE} could not record it: ${messageOf(error)}`,
      );
    }
  }

  private nextRevision(): number {
    this.lastRevision = ledgerSql.nextRevision(Date.now(), this.lastRevision);
    return this.lastRevision;
  }

  private async ensureLedger(): Promise<void> {
    if (this.ledgerReady) return;
    const create = ledgerSql.createLedger();
    await this.books.command(this.cluster ? clusterSql.clusterCreate(create, this.cluster.cluster, this.session.database, ledgerSql.LEDGER_TABLE) : create);
    this.ledgerReady = true;
  }

  private async listLedger(): Promise<LedgerEntry[]> {
    try {
      const [exists] = await this.books.rows<{ result: number }>(sql.versionTableExists(ledgerSql.LEDGER_TABLE));
      if (Number(exists?.result) !== 1) return [];
      const rows = await this.books.rows<ledgerSql.LedgerRow>(ledgerSql.listEntries());
      // Keep later revisions above anything already written, whoever wrote it.
      for (const row of rows) this.lastRevision = Math.max(this.lastRevision, Number(row.last_revision));
      return ledgerSql.entriesFromRows(rows);
    } catch (error) {
      throw this.bookkeepingError(error, `read schemasync's ledger ${ledgerSql.LEDGER_TABLE}`);
    }
  }

  private async adopt(files: MigrationFile[]): Promise<void> {
    try {
      if (files.length > 0) await this.ensureLedger();
      for (const file of files) await this.books.command(ledgerSql.upsertEntry(file, 'adopted', this.nextRevision()));
    } catch (error) {
      throw this.bookkeepingError(error, `adopt goose's versions into ${ledgerSql.LEDGER_TABLE}`);
    }
  }

  /** `CREATE DATABASE schemasync_shadow_<time>_<random>` on this server; first drops shadows older than an hour. */
  async createShadow(): Promise<ShadowDatabase | ShadowUnavailable> {
    if (this.cluster) {
      return {
        unavailable: `cluster mode makes no shadow database: the migrations' ON CLUSTER statements would run on every node of ${this.cluster.cluster}, outside a database that exists on one`,
      };
    }
    try {
      const existing = await this.session.rows<{ name: string }>(`SELECT name FROM system.databases WHERE startsWith(name, ${sqlString(SHADOW_PREFIX)})`);
      for (const { name } of existing.filter((row) => isStaleShadow(row.name, Date.now()))) await this.dropDatabase(name);
    } catch (error) {
      throw this.bookkeepingError(error, 'list shadow databases');
    }
    const name = shadowName(Date.now(), randomBytes(4).toString('hex'));
    try {
      await this.session.command(`CREATE DATABASE ${sql.sqlIdentifier(name)}`);
    } catch (error) {
      if (error instanceof ServerQueryError && error.server.code !== undefined && NO_PERMISSION_CODES.has(error.server.code)) {
        return {
          unavailable: `the ClickHouse user may not create databases on ${this.where} (${error.server.message}); allow CREATE DATABASE to compare the database with its migrations`,
        };
      }
      throw this.bookkeepingError(error, `create the shadow database ${name}`);
    }
    const url = new URL(this.url);
    url.pathname = `/${name}`;
    const target = new ClickHouseTarget(url.toString(), this.options);
    let dropped: Promise<void> | undefined;
    return {
      name,
      target,
      drop: () =>
        (dropped ??= (async () => {
          await target.close().catch(() => {});
          await this.dropDatabase(name);
        })()),
    };
  }

  /** Never throws: a leftover shadow is dropped by a later run. */
  private async dropDatabase(name: string): Promise<void> {
    try {
      await this.session.command(`DROP DATABASE IF EXISTS ${sql.sqlIdentifier(name)}`);
    } catch (error) {
      this.logger.warn(
        { event: 'shadow:drop-failed', database: name, error: messageOf(error) },
        `could not drop the shadow database ${name}: ${messageOf(error)}`,
      );
    }
  }

  /**
   * NOT atomic: ClickHouse has no transactions, so the units run one after another and a
   * failure leaves the units before it applied (the error names the failing file).
   */
  async applyAtomically(units: ApplyUnit[], signal?: AbortSignal): Promise<void> {
    for (const unit of units) await this.apply(unit, signal);
  }

  /**
   * Deletes a version's rows so that a later read can never see them again (otherwise the
   * same down could run twice): goose's `mutations_sync = 2` where the server has it, else a
   * plain mutation followed by waiting for system.mutations to report it done.
   */
  private async deleteVersion(version: number, signal?: AbortSignal): Promise<void> {
    if (this.mutationsSync !== false) {
      try {
        await this.session.command(sql.deleteVersionSync(this.table, version), signal);
        this.mutationsSync = true;
        return;
      } catch (error) {
        if (!(error instanceof ServerQueryError) || !rejectsMutationsSync(error.server)) throw error;
        this.mutationsSync = false;
        this.logger.debug({ code: error.server.code }, 'server rejects mutations_sync; deleting with a plain mutation and waiting for it');
      }
    }
    await this.session.command(sql.deleteVersionAsync(this.table, version), signal);
    await this.waitForMutations(signal);
  }

  private async waitForMutations(signal?: AbortSignal): Promise<void> {
    const [database, table] = this.table.includes('.') ? (this.table.split('.') as [string, string]) : [this.session.database, this.table];
    const deadline = Date.now() + this.mutationTimeoutMs;
    for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
      const pending = await this.session.rows<{ mutation_id: string; command: string }>(sql.pendingMutations(database, table), signal);
      if (pending.length === 0) return;
      if (Date.now() >= deadline) {
        throw new Error(
          `the mutation ${pending[0]?.mutation_id} (${pending[0]?.command}) on ${database}.${table} was still not done after ${this.mutationTimeoutMs / 1000} s; the version row may reappear in reads until it finishes (see system.mutations)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  async introspect(): Promise<Catalog> {
    try {
      return await readCatalog(this.session, [this.table, LOCK_TABLE, ledgerSql.LEDGER_TABLE]);
    } catch (error) {
      throw this.bookkeepingError(error, 'describe its schema');
    }
  }

  async close(): Promise<void> {
    await this.session.close();
  }

  /**
   * Failures outside a migration's own statements keep their typed error (ConnectionError when
   * unreachable); what the server refused, or a mutation wait that failed, is a QueryError.
   */
  private bookkeepingError(error: unknown, what: string): Error {
    if (isSchemasyncError(error)) return error;
    return clickhouseQueryFailure(error, what);
  }
}

/** The MigrationError of a failed statement; its message says plainly what stays applied. */
function migrationFailure(unit: ApplyUnit, index: number, statement: Statement, error: ServerQueryError, note = ''): MigrationError {
  const offset = errorOffset(error.server.message, statement.sql);
  const position = offset === undefined ? { line: statement.lines[0] ?? 1, column: statement.column } : positionInFile(statement, offset);
  const details: MigrationErrorDetails = {
    target: 'clickhouse',
    file: unit.file.path,
    direction: unit.direction,
    statementIndex: index,
    statement: statement.sql,
    line: position.line,
    column: position.column,
    serverMessage: error.server.message,
    codeFrame: codeFrame(unit.file.text, position.line, position.column),
    appliedStatements: [...Array(index).keys()],
    rolledBack: false,
  };
  if (error.server.code !== undefined) details.serverCode = error.server.code;
  const failure = new MigrationError(details, { cause: error });
  const stop = note && !/[.?!]$/.test(failure.message) ? '.' : '';
  failure.message = `${failure.message}${stop}${note} ${partialNote(unit, index)}`;
  return failure;
}

/** Cluster mode: every statement ran, but the quorum write of the version row failed. */
function notRecorded(where: string, unit: ApplyUnit, error: unknown): Error {
  if (hasErrorCode(error, 'CANCELLED')) return error;
  const { file, direction } = unit;
  const reason = messageOf(error).replace(/^cannot reach \S+: /, '');
  const ran = unit.statements.length === 0 ? 'it has no statements' : `all ${unit.statements.length} of its statements ran and stay applied`;
  const next = direction === 'up' ? 'the next up applies it again' : 'it still counts as applied';
  return new ConnectionError(
    where,
    `version ${file.version} (${file.name}, ${direction}) was NOT recorded: ${reason}${/[.?!]$/.test(reason) ? '' : '.'} ${file.name}: ${ran}; ${next} once every replica is back, so its statements must be able to run twice (IF NOT EXISTS / IF EXISTS).`,
    { cause: error },
  );
}

function cancelledMidFile(error: CancelledError, unit: ApplyUnit, index: number): CancelledError {
  return index === 0 ? error : new CancelledError(`${error.message}. ${partialNote(unit, index)}`);
}

function partialNote(unit: ApplyUnit, index: number): string {
  const recorded = `version ${unit.file.version} was not ${unit.direction === 'up' ? 'recorded' : 'removed'} in goose's table`;
  if (index === 0) return `Nothing of ${unit.file.name} ran; ${recorded}.`;
  const ran = index === 1 ? 'statement 1' : `statements 1-${index}`;
  return `ClickHouse has no transactions: ${ran} of ${unit.file.name} (${unit.direction}) already ran and stay applied; ${recorded}.`;
}
