import { downAll } from '../../app/migrations.ts';
import type { CommandContext } from '../context.ts';
import { exitCodeForResults } from '../results.ts';
import { parseVersionOption } from './options.ts';

export async function downCommand(ctx: CommandContext, options: Record<string, unknown>): Promise<number> {
  return exitCodeForResults(await downAll(ctx, { toVersion: parseVersionOption(options.to) }), ctx.logger);
}
