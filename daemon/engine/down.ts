import { PlanError } from '../errors.ts';
import { planDown } from '../migrations/plan.ts';
import type { EngineContext, EngineResult } from './context.ts';
import { loadMigrationFiles } from './files.ts';
import { asApplied } from './ledger.ts';
import { runLocked, runMigrations, stepsOf } from './run.ts';

/** goose down / down-to, each file rolled back with the text it was applied with. */
export async function migrateDown(ctx: EngineContext, options: { toVersion?: number } = {}): Promise<EngineResult> {
  return runLocked(ctx, async (result) => {
    const files = await loadMigrationFiles(ctx);
    const rows = await ctx.target.listVersions();
    await runMigrations(ctx, stepsOf(await asApplied(ctx, planDown(files, rows, { toVersion: options.toVersion })), 'down'), result, rows);
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
    const [applied] = await asApplied(ctx, [file]);
    // A Go migration stops at its Down, as goose's stock binary would.
    await runMigrations(
      ctx,
      [
        { file: applied!, direction: 'down' },
        { file, direction: 'up' },
      ],
      result,
      rows,
    );
    return rows;
  });
}
