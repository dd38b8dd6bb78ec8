import type { Env } from '../../config/load.ts';
import type { Logger } from '../../log/types.ts';
import type { MigrationFile } from '../../migrations/types.ts';
import type { Target, TargetName } from '../../targets/target.ts';
import type { MemoryFile } from '../memory.ts';

/** Facts one step hands to the next within a run. */
export interface RunState {
  /** Migration files read by validate, per target, for apply to use. */
  files: Partial<Record<TargetName, MigrationFile[]>>;
  /** PostgreSQL catalog fingerprint after apply; set when apply may have changed the schema. */
  postgresFingerprint?: string;
  /** schema.prisma was rewritten by this run's pull (its new text differs). */
  prismaSchemaChanged?: boolean;
  /** Run the generators even when their inputs look unchanged (dev:types). */
  force?: boolean;
}

export const newRunState = (): RunState => ({ files: {} });

/** What steps are built from: the opened targets and the project around them. */
export interface StepDeps {
  projectRoot: string;
  env: Env;
  logger: Logger;
  targets: Target[];
  dirs: Map<TargetName, string>;
  allowMissing: boolean;
  lockTimeoutMs: number;
  memory: MemoryFile;
  /** Re-apply the newest applied migration when its file is edited (watch mode; `--no-redo` turns it off). */
  redo?: boolean;
}
