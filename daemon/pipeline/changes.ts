import path from 'node:path';

import { TARGET_NAMES, type TargetName } from '../targets/target.ts';
import { isPrismaSchemaPath } from '../tools/prisma-schema.ts';
import { contains } from '../util/paths.ts';

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
  /** prisma/schema.prisma, or a `.prisma` file of a schema folder, changed (by someone else than schemasync). */
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
  /** The schema file, or a multi-file schema folder. */
  prismaSchema: string;
}

/** One list per registered target. */
function perTarget(list: (target: TargetName) => string[]): Record<TargetName, string[]> {
  return Object.fromEntries(TARGET_NAMES.map((target) => [target, list(target)])) as Record<TargetName, string[]>;
}

export const FULL_RUN: Changes = { full: true, migrations: perTarget(() => []), sqlc: true, prismaSchema: true, paths: [] };

export function noChanges(): Changes {
  return { full: false, migrations: perTarget(() => []), sqlc: false, prismaSchema: false, paths: [] };
}

/** Sorts changed paths into what they affect; paths that affect nothing are dropped. */
export function classifyPaths(paths: string[], layout: ProjectLayout): Changes {
  const changes = noChanges();
  for (const file of paths) {
    let relevant = false;
    for (const [target, dir] of Object.entries(layout.migrationDirs) as Array<[TargetName, string]>) {
      // A migration file, or the folder itself (renamed away and back, deleted, created).
      if (contains(dir, file) || contains(file, dir)) {
        changes.migrations[target].push(file);
        relevant = true;
      }
    }
    if (file === layout.sqlcConfig || layout.sqlcQueries.some((q) => contains(q, file))) {
      changes.sqlc = true;
      relevant = true;
    }
    if (isPrismaSchemaPath(layout.prismaSchema, file)) {
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
    migrations: perTarget((target) => union(a.migrations[target], b.migrations[target])),
    sqlc: a.sqlc || b.sqlc,
    prismaSchema: a.prismaSchema || b.prismaSchema,
    paths: union(a.paths, b.paths),
  };
}

export function isEmpty(changes: Changes): boolean {
  return !changes.full && !changes.sqlc && !changes.prismaSchema && TARGET_NAMES.every((target) => changes.migrations[target].length === 0);
}

/** Does this run touch the target's migrations? */
export function touches(changes: Changes, target: TargetName): boolean {
  return changes.full || changes.migrations[target].length > 0;
}

/**
 * The one rule for "this migration file is among the changed paths": its absolute path is one of
 * them. `changed` are absolute; a file's `path` is project-relative (or absolute outside it).
 */
export function changedFileTest(projectRoot: string, changed: string[]): (file: { path: string }) => boolean {
  const paths = new Set(changed.map((changedPath) => path.resolve(changedPath)));
  return (file) => paths.has(path.resolve(projectRoot, file.path));
}
