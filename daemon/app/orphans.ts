import path from 'node:path';

import { gitOrphanLocator } from '../drift/orphans.ts';
import { describeOrphans, loadMigrationFiles, rollbackOrphans, type OrphanRollback } from '../engine/index.ts';
import { toSchemasyncError } from '../errors.ts';
import { appliedWithoutFile } from '../migrations/plan.ts';
import type { AppContext } from './context.ts';
import { forEachTarget } from './oneshot.ts';

/**
 * `schemasync down --orphans`: on each target, rolls back the migrations applied from other git
 * branches (their files are not checked out), newest first, with their recorded Down; what
 * watch --follow-branch does after a switch, for scripts. Migrations applied without a file that
 * git has on no branch are deleted files, not orphans: left alone (verify reports them).
 */
export function downOrphansAll(loaded: AppContext): Promise<OrphanRollback[]> {
  const locator = gitOrphanLocator(loaded.config.projectRoot);
  return forEachTarget(loaded, async (ctx) => {
    try {
      await ctx.target.connect(ctx.signal);
      const missing = appliedWithoutFile(await loadMigrationFiles(ctx), await ctx.target.listVersions());
      const orphans = await locator.locate(path.resolve(ctx.projectRoot, ctx.dir), missing);
      if (orphans.length === 0) {
        ctx.logger.info({ event: 'orphans:none', target: ctx.target.name }, `no migrations of other branches are applied on ${ctx.target.name}`);
        return { target: ctx.target.name, applied: [], left: [] };
      }
      ctx.logger.info({ event: 'orphans:found', target: ctx.target.name, versions: orphans.map((o) => o.version) }, `rolling back ${describeOrphans(orphans)}`);
      return await rollbackOrphans(ctx, orphans);
    } catch (error) {
      return { target: ctx.target.name, applied: [], left: [], error: toSchemasyncError(error) };
    }
  });
}
