import path from 'node:path';

import type { TargetName } from '../targets/target.ts';

/**
 * What a run has to look at, derived from the paths that changed. Pure: the watcher gives
 * paths, the scheduler merges Changes, the steps read them.
 */
export interface Changes {
  /** Start-up, a retry after a failure, or `sync`: every step checks everything. */
  full: boolean;
  /** Changed migration files per target (absolute paths; deleted files included). */
  migrations: Record<TargetName, string[]>;
  /** sqlc.yaml or one of its query files changed. */
  sqlc: boolean;
  /** prisma/schema.prisma changed (by someone else than schemasync). */
  prismaSchema: boolean;
  /** Every path of the triggers merged into this run, for the log. */
  paths: string[];
}

/** Where the watched things live (absolute paths). */
export interface ProjectLayout {
  projectRoot: string;
  migrationDirs: Partial<Record<TargetName, string>>;
  sqlcConfig: string;
  /** Folders and files named in sqlc.yaml's `queries`. */
  sqlcQueries: string[];
  prismaSchema: string;
}

export const FULL_RUN: Changes = { full: true, migrations: { postgres: [], clickhouse: [] }, sqlc: true, prismaSchema: true, paths: [] };

export function noChanges(): Changes {
  return { full: false, migrations: { postgres: [], clickhouse: [] }, sqlc: false, prismaSchema: false, paths: [] };
}

/** Sorts changed paths into what they affect; paths that affect nothing are dropped. */
export function classifyPaths(paths: string[], layout: ProjectLayout): Changes {
  const changes = noChanges();
  for (const file of paths) {
    let relevant = false;
    for (const [target, dir] of Object.entries(layout.migrationDirs) as Array<[TargetName, string]>) {
      // A migration file, or the folder itself (renamed away and back, deleted, created).
      if (isInside(file, dir) || file === dir || isInside(dir, file)) {
        changes.migrations[target].push(file);
        relevant = true;
      }
    }
    if (file === layout.sqlcConfig || layout.sqlcQueries.some((q) => file === q || isInside(file, q))) {
      changes.sqlc = true;
      relevant = true;
    }
    if (file === layout.prismaSchema) {
      changes.prismaSchema = true;
      relevant = true;
    }
    if (relevant) changes.paths.push(file);
  }
  return changes;
}

export function mergeChanges(a: Changes, b: Changes): Changes {
  const union = (x: string[], y: string[]) => [...new Set([...x, ...y])].sort();
  return {
    full: a.full || b.full,
    migrations: { postgres: union(a.migrations.postgres, b.migrations.postgres), clickhouse: union(a.migrations.clickhouse, b.migrations.clickhouse) },
    sqlc: a.sqlc || b.sqlc,
    prismaSchema: a.prismaSchema || b.prismaSchema,
    paths: union(a.paths, b.paths),
  };
}

export function isEmpty(changes: Changes): boolean {
  return !changes.full && !changes.sqlc && !changes.prismaSchema && changes.migrations.postgres.length === 0 && changes.migrations.clickhouse.length === 0;
}

/** Does this run touch the target's migrations? */
export function touches(changes: Changes, target: TargetName): boolean {
  return changes.full || changes.migrations[target].length > 0;
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
