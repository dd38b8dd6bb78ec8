import type { TargetName } from '../config/types.ts';
import type { Logger } from '../log/types.ts';
import type { Direction, MigrationFile, Statement, VersionRow } from '../migrations/types.ts';

/**
 * A database that goose migrations are applied to. One implementation per engine
 * (targets/<engine>/target.ts); everything above this interface is engine-agnostic.
 *
 * test/contract/ runs one scenario against every implementation on a real server.
 *
 * Contract: methods throw `SchemasyncError`s only (ConnectionError when the server is
 * unreachable, MigrationError when a statement fails, LockError when the lock cannot be taken).
 */
export interface Target {
  /** Stable name used in flags, logs and `status --json`: `postgres`, `clickhouse`. */
  readonly name: TargetName;
  /** Where it points, for logs: the URL with the password removed. */
  readonly where: string;

  /** Opens the connection (pool) and checks the server answers. Idempotent. */
  connect(signal?: AbortSignal): Promise<void>;

  /**
   * Runs `fn` while holding the target's migration lock, so that two runners never apply at
   * once. While waiting, calls `onWait` (about every few seconds) with who holds the lock.
   * Throws LockError after `timeoutMs`, CancelledError when `signal` aborts.
   */
  withLock<T>(fn: () => Promise<T>, options?: LockOptions): Promise<T>;

  /**
   * goose's version rows, in goose's list order. Creates goose's version table with its
   * version-0 row first when it does not exist, as every goose command does.
   */
  listVersions(): Promise<VersionRow[]>;

  /**
   * Applies one migration in one direction and records it in the version table (insert on up,
   * delete on down), in one transaction when the target has them and the file allows it.
   * On failure nothing of a transactional migration stays applied; the MigrationError says
   * which statements stay applied otherwise. Callers read `listVersions()` first (as goose does
   * before every command): that is what creates the version table.
   */
  apply(unit: ApplyUnit, signal?: AbortSignal): Promise<void>;

  /**
   * Applies several units as one: in one transaction when the target has transactions and
   * every unit allows one (used to re-apply an edited migration: old Down, then new Up).
   */
  applyAtomically(units: ApplyUnit[], signal?: AbortSignal): Promise<void>;

  /** The schema as a flat list of entries (drift checks, fingerprints). Excludes goose's and schemasync's own tables. */
  introspect(): Promise<Catalog>;

  /**
   * Logs warnings about a migration goose accepts but this target's mode makes risky (ClickHouse
   * cluster mode: DDL without ON CLUSTER, non-replicated engines), each once per process.
   */
  review?(file: MigrationFile, env?: Record<string, string | undefined>): void;
  /** Rows in a table (named as a migration names it), or undefined when it cannot be counted; says what a rollback drops. */
  countRows?(table: string): Promise<number | undefined>;

  /** Tables and views with their columns in declared order (the ClickHouse types step); the tooling's own tables left out. */
  describeTables?(signal?: AbortSignal): Promise<TableShape[]>;

  /** Closes connections. Idempotent. */
  close(): Promise<void>;

  /**
   * schemasync's own record of applied migrations (checksum and text), kept in the database
   * where neither goose nor `prisma db pull` looks. Targets that have it also write it inside
   * `apply`: an up replaces the version's entry (applied by `schemasync`), a down removes it.
   */
  readonly ledger?: Ledger;

  /**
   * A new, empty database on the same server with the same credentials (drift checks apply
   * every migration to it from scratch). Also drops stale shadows a killed run left behind.
   * Returns `{ unavailable: reason }` when the role may not create databases. The lifecycle is
   * shared (targets/shadow.ts); a target supplies only its driver.
   */
  createShadow?(): Promise<ShadowDatabase | ShadowUnavailable>;
}

/** Who put a ledger entry there: schemasync applied it, or goose did and schemasync adopted it. */
export type LedgerAppliedBy = 'schemasync' | 'adopted';

export interface LedgerEntry {
  version: number;
  /** File name (base name) when it was applied. */
  file: string;
  /** checksum.ts of `text`. */
  checksum: string;
  /** The whole file text as applied (its Down is what undoes it). */
  text: string;
  appliedAt: Date;
  appliedBy: LedgerAppliedBy;
}

export interface Ledger {
  /** Every entry, ascending by version; [] when the ledger does not exist yet. */
  list(): Promise<LedgerEntry[]>;
  /** Records versions goose applied, with the current file text (`appliedBy: 'adopted'`); replaces entries of the same version. */
  adopt(files: MigrationFile[]): Promise<void>;
}

/** Why no shadow database can be made here (a sentence), e.g. the role lacks CREATEDB. */
export interface ShadowUnavailable {
  unavailable: string;
}

/** A throwaway database; `drop()` is idempotent and never throws (a failure is logged by the target). */
export interface ShadowDatabase {
  /** Database name, e.g. `schemasync_shadow_1735689600_ab12cd`. */
  readonly name: string;
  /** A target on it, not yet connected; `drop()` closes it. */
  readonly target: Target;
  /** What else is on the server: the shadow check runs no migration that names any of it (drift/shadow-bounds.ts). */
  readonly bounds: ShadowBounds;
  drop(): Promise<void>;
}

export interface ShadowBounds {
  /** The name of the live database the shadow is made beside. */
  live: string;
  /** Every database on the server when the shadow was made, the shadow's own included. */
  databases: string[];
}

// Configuration's word for a target (registered in config/targets.ts); re-exported so target code names it from here.
export { TARGET_NAMES, type TargetName } from '../config/types.ts';

export interface LockOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  onWait?: (holder: string) => void;
}

export interface ApplyUnit {
  file: MigrationFile;
  direction: Direction;
  statements: Statement[];
  noTransaction: boolean;
}

/**
 * One object of a schema: a table, column, index, constraint, enum, view, function, trigger...
 * `name` is qualified (`users.nickname`); `detail` holds what makes two versions differ
 * (type, nullability, default, definition). Entries are engine-specific but comparable.
 */
export interface CatalogEntry {
  kind: string;
  name: string;
  detail: Record<string, string | number | boolean | null>;
}

export type Catalog = CatalogEntry[];

/** A table or view and its columns in declared order, as the server types them. */
export interface TableShape {
  name: string;
  engine: string;
  columns: Array<{ name: string; type: string; defaultKind: string }>;
}

export interface TargetFactoryOptions {
  logger: Logger;
  /** goose's version table name (`-table`), default `goose_db_version`. */
  table?: string;
}
