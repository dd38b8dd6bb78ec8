import { GoMigrationError, PlanError } from '../errors.ts';
import { planDown } from '../migrations/plan.ts';
import type { EngineContext, EngineResult } from './context.ts';
import { loadMigrationFiles } from './files.ts';
import { asApplied } from './ledger.ts';
import { applyEach, applyUntilGo, runLocked } from './run.ts';
import { unitsFor } from './units.ts';

/** goose down / down-to, each file rolled back with the text it was applied with. */
export async function migrateDown(ctx: EngineContext, options: { toVersion?: number } = {}): Promise<EngineResult> {
  return runLocked(ctx, async (result) => {
    const files = await loadMigrationFiles(ctx);
    const rows = await ctx.target.listVersions();
    await applyUntilGo(ctx, await asApplied(ctx, planDown(files, rows, { toVersion: options.toVersion })), 'down', result, rows);
    return rows;
  });
}

/** goose's redo: the current version's Down, then its Up (two transactions, as goose does). */
export async function migrateRedo(ctx: EngineContext): Promise<EngineResult> {
  return runLocked(ctx, async (result) => {
    const files = await loadMigrationFiles(ctx);
    const rows = await ctx.target.listVersions();
    const [file] = planDown(files, rows, {});
    if (!file) throw new PlanError(`${ctx.target.name}: nothing to redo`);
    if (file.go) {
      result.stoppedAtGo = file.path;
      throw new GoMigrationError(file.path, 'down');
    }
    const [down, up] = [...unitsFor(await asApplied(ctx, [file]), 'down', ctx.env), ...unitsFor([file], 'up', ctx.env)];
    await applyEach(ctx, [down!, up!], result, rows);
    return rows;
  });
}
