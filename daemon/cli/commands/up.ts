import { forEachTarget } from '../../app/oneshot.ts';
import { migrateUp } from '../../pipeline/migrate.ts';
import type { CommandContext } from '../context.ts';
import { exitCodeForResults } from '../results.ts';
import { parseVersionOption } from './options.ts';

export async function upCommand(ctx: CommandContext, options: Record<string, unknown>): Promise<number> {
  const toVersion = parseVersionOption(options.to);
  if (options.allowMissing) ctx.config.allowMissing = true;
  const results = await forEachTarget(ctx, (engine) => migrateUp(engine, { toVersion }));
  return exitCodeForResults(results, ctx.logger);
}
