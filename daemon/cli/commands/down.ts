import { forEachTarget } from '../../app/oneshot.ts';
import { migrateDown } from '../../pipeline/migrate.ts';
import type { CommandContext } from '../context.ts';
import { exitCodeForResults } from '../results.ts';
import { parseVersionOption } from './options.ts';

export async function downCommand(ctx: CommandContext, options: Record<string, unknown>): Promise<number> {
  const toVersion = parseVersionOption(options.to);
  const results = await forEachTarget(ctx, (engine) => migrateDown(engine, { toVersion }));
  return exitCodeForResults(results, ctx.logger);
}
