import { upAll } from '../../app/migrations.ts';
import type { AppContext } from '../../app/context.ts';
import { exitCodeForResults } from '../results.ts';
import { parseVersionOption } from './options.ts';

export async function upCommand(ctx: AppContext, options: Record<string, unknown>): Promise<number> {
  const toVersion = parseVersionOption(options.to);
  if (options.allowMissing) ctx.config.allowMissing = true;
  return exitCodeForResults(await upAll(ctx, { toVersion }), ctx.logger);
}
