import { toSchemasyncError, type SchemasyncError } from '../errors.ts';
import { currentVersion, statusRows } from '../migrations/plan.ts';
import type { StatusRow } from '../migrations/types.ts';
import type { EngineContext, EngineResult } from './context.ts';
import { loadMigrationFiles } from './files.ts';

/** goose status, plus the applied versions that have no file. Takes no lock, as goose's status. */
export async function migrationStatus(ctx: EngineContext): Promise<{ rows: StatusRow[]; error?: SchemasyncError }> {
  try {
    const files = await loadMigrationFiles(ctx);
    const rows = await ctx.target.listVersions();
    return { rows: statusRows(ctx.target.name, files, rows) };
  } catch (error) {
    return { rows: [], error: toSchemasyncError(error) };
  }
}

/** goose version: the target's current version (the most recently applied migration). */
export async function migrationVersion(ctx: EngineContext): Promise<Pick<EngineResult, 'target' | 'currentVersion' | 'error'>> {
  try {
    await ctx.target.connect(ctx.signal);
    return { target: ctx.target.name, currentVersion: currentVersion(await ctx.target.listVersions()) };
  } catch (error) {
    return { target: ctx.target.name, error: toSchemasyncError(error) };
  }
}
