import type { Env } from '../../config/load.ts';
import type { Orphan, OrphanLocator } from '../../drift/orphans.ts';
import type { EngineContext } from '../../engine/index.ts';
import type { Logger } from '../../log/types.ts';
import type { MigrationFile, VersionRow } from '../../migrations/types.ts';
import type { LedgerEntry, Target, TargetName } from '../../targets/target.ts';
import type { Head } from '../../tools/git.ts';
import type { MemoryFile } from '../memory.ts';
import type { SchemaLog } from '../schema-log.ts';

/** Facts one step hands to the next within a run. */
export interface RunState {
  /** Migration files read by validate, per target, for apply and drift to use. */
  files: Partial<Record<TargetName, MigrationFile[]>>;
  /** goose's version rows as apply left them, per target, for drift to use (no second read). */
  versions: Partial<Record<TargetName, VersionRow[]>>;
  /** schemasync's ledger as apply left it, per target that keeps one, for drift to use. */
  ledgers: Partial<Record<TargetName, LedgerEntry[]>>;
  /** Catalog fingerprint of the types target (`StepDeps.typesTarget`) after apply; set when apply may have changed its schema. */
  typesFingerprint?: string;
  /** Catalog fingerprints of other targets whose catalog feeds a generator (`StepDeps.fingerprinted`), set as typesFingerprint is. */
  fingerprints?: Partial<Record<TargetName, string>>;
  /** schema.prisma was rewritten by this run's pull (its new text differs). */
  prismaSchemaChanged?: boolean;
  /** Run the generators even when their inputs look unchanged (dev:types). */
  force?: boolean;
  /** Set when HEAD moved since the last run (watch mode in a git repository). */
  branch?: { from: Head; to: Head };
  /** Orphans of other branches still applied after the orphans step, per target (apply does not warn about their files again). */
  orphans?: Partial<Record<TargetName, Orphan[]>>;
}

export const newRunState = (): RunState => ({ files: {}, versions: {}, ledgers: {} });

/** The engine's view of one target within a run. */
export function engineContext(deps: StepDeps, target: Target, signal: AbortSignal): EngineContext {
  return {
    target,
    dir: deps.dirs.get(target.name)!,
    projectRoot: deps.projectRoot,
    env: deps.env,
    logger: deps.logger.child({ target: target.name }),
    allowMissing: deps.allowMissing,
    lockTimeoutMs: deps.lockTimeoutMs,
    signal,
    schemaLog: deps.schemaLogs.get(target.name),
    committed: target.name === deps.typesTarget ? deps.typesCommitted : undefined,
  };
}

/** What steps are built from: the opened targets and the project around them. */
export interface StepDeps {
  projectRoot: string;
  env: Env;
  logger: Logger;
  targets: Target[];
  dirs: Map<TargetName, string>;
  /** The target whose catalog feeds Prisma and sqlc (app/ chooses it); none when it is not configured. */
  typesTarget?: TargetName;
  /** Other targets whose catalog feeds a generator (ClickHouse: its types step): apply fingerprints them too. */
  fingerprinted?: TargetName[];
  /** Migrations were just committed to the types target (EngineContext.committed). */
  typesCommitted?: () => void;
  allowMissing: boolean;
  lockTimeoutMs: number;
  memory: MemoryFile;
  /**
   * Each target's schema log, kept across runs and shared by its orphans and apply steps: the
   * catalog after one migration is the catalog before the next.
   */
  schemaLogs: Map<TargetName, SchemaLog>;
  /** Re-apply the newest applied migration when its file is edited (watch mode; `--no-redo` turns it off). */
  redo?: boolean;
  /** Asks git about applied migrations without a file (orphans of another branch). */
  orphans?: OrphanLocator;
  /** Roll orphans back before applying (--follow-branch). */
  followBranch?: boolean;
}
