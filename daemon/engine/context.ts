import type { Env } from '../config/load.ts';
import type { SchemasyncError } from '../errors.ts';
import type { Logger } from '../log/types.ts';
import type { Direction, MigrationFile, VersionRow } from '../migrations/types.ts';
import type { LedgerEntry, Target } from '../targets/target.ts';

/**
 * What every engine call works with: one target, its folder, and how to talk about it. The engine
 * is goose's Provider (plan, lock, apply, record, redo, status, orphan rollback) for one target,
 * used alike by the one-shot commands and the daemon's apply step. Its calls report; they do not
 * throw: a failure comes back in `error`, next to what was applied before it.
 */
export interface EngineContext {
  target: Target;
  dir: string;
  projectRoot: string;
  /** Environment for `-- +goose ENVSUB ON`. */
  env: Env;
  logger: Logger;
  allowMissing: boolean;
  lockTimeoutMs: number;
  signal?: AbortSignal;
  /**
   * Says what each migration did to the schema (pipeline/schema-log.ts); the daemon keeps one per
   * target across runs, a command gets its own. Without it nothing is described.
   */
  schemaLog?: SchemaObserver;
  /**
   * Called when the last unit of a run has been committed, before the schema log reads the
   * catalog: the daemon's Prisma worker starts its introspection then (query-prefetch.ts).
   */
  committed?: () => void;
}

/** Told about each unit the engine applies, to describe the schema change it made. */
export interface SchemaObserver {
  /** Before the first unit of a command, with the version rows read under the lock. */
  begin(rows: VersionRow[]): Promise<void>;
  /** After one unit (or one re-applied file). */
  after(file: MigrationFile, direction: Direction | 'reapplied'): Promise<void>;
  /** After a failure or a cancellation, or a batch too large to describe: the schema is unknown. */
  forget(): void;
}

export interface AppliedMigration {
  file: string;
  version: number;
  direction: Direction;
  durationMs: number;
  /** Half of re-applying an edited migration (watch mode): its old Down or its new Up. */
  reapplied?: true;
}

export interface EngineResult {
  target: string;
  applied: AppliedMigration[];
  /** goose's current version after the command (CLI rule); undefined when it could not be read. */
  currentVersion?: number;
  /** goose's version rows as the command left them (read under the lock); undefined when it failed first. */
  rows?: VersionRow[];
  /** `migrateUp`: schemasync's ledger as the command left it (undefined without one, or when it failed first). */
  ledger?: LedgerEntry[];
  /** Watch mode: the first pending file still holding `schemasync create`'s untouched template; nothing from it on was applied. */
  waitingForSql?: MigrationFile;
  /** The Go migration the command stopped at (goose's stock binary cannot run it); `error` says so. */
  stoppedAtGo?: string;
  error?: SchemasyncError;
}
