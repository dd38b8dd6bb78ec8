import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { TargetName } from '../config/targets.ts';
import { UsageError } from '../errors.ts';
import { newMigrationFileName } from '../migrations/filename.ts';
import { readMigrations } from '../migrations/source.ts';
import type { StatusRow } from '../migrations/types.ts';
import { migrateDown, migrateRedo, migrateUp, migrationStatus, migrationVersion, type EngineResult } from '../engine/index.ts';
import type { AppContext } from './context.ts';
import { forEachTarget } from './oneshot.ts';
import { createTemplate } from './targets.ts';

/**
 * The one-shot migration commands (goose's up, down, redo, status, version, create) over every
 * configured target; the CLI only formats what these return.
 */
export const upAll = (loaded: AppContext, options: { toVersion?: number }) => forEachTarget(loaded, (ctx) => migrateUp(ctx, options));
export const downAll = (loaded: AppContext, options: { toVersion?: number }) => forEachTarget(loaded, (ctx) => migrateDown(ctx, options));
export const redoAll = (loaded: AppContext) => forEachTarget(loaded, (ctx) => migrateRedo(ctx));

export interface TargetStatus extends Pick<EngineResult, 'target' | 'error'> {
  where: string;
  rows: StatusRow[];
}

export const statusAll = (loaded: AppContext): Promise<TargetStatus[]> =>
  forEachTarget(loaded, async (ctx) => ({ target: ctx.target.name, where: ctx.target.where, ...(await migrationStatus(ctx)) }));

/** goose version: each target's current version (the most recently applied migration). */
export const versionAll = (loaded: AppContext): Promise<Array<Pick<EngineResult, 'target' | 'currentVersion' | 'error'>>> =>
  forEachTarget(loaded, migrationVersion);

/** goose create NAME sql: same file name and template; refuses to overwrite. Returns the new file's path. */
export async function createMigration(loaded: AppContext, target: TargetName, name: string, options: { sequential: boolean }): Promise<string> {
  const { config } = loaded;
  const dir = config[target].dir;
  await mkdir(dir, { recursive: true });
  const { files } = await readMigrations(dir, { projectRoot: config.projectRoot });
  const file = path.join(dir, newMigrationFileName(name, new Date(), { sequential: options.sequential, existingVersions: files.map((f) => f.version) }));
  try {
    await writeFile(file, await createTemplate(config, target), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${path.relative(config.projectRoot, file)} already exists`);
    throw error;
  }
  return file;
}
