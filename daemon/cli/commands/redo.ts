import { forEachTarget } from '../../app/oneshot.ts';
import { migrateRedo } from '../../pipeline/migrate.ts';
import type { CommandContext } from '../context.ts';
import { exitCodeForResults } from '../results.ts';

export async function redoCommand(ctx: CommandContext): Promise<number> {
  const results = await forEachTarget(ctx, (engine) => migrateRedo(engine));
  return exitCodeForResults(results, ctx.logger);
}
