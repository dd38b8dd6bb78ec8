import { downAll } from '../../app/migrations.ts';
import { downOrphansAll } from '../../app/orphans.ts';
import { UsageError } from '../../errors.ts';
import type { AppContext } from '../../app/context.ts';
import { exitCodeForResults } from '../results.ts';
import { parseVersionOption } from './options.ts';

export async function downCommand(ctx: AppContext, options: Record<string, unknown>): Promise<number> {
  if (options.orphans === true) {
    if (options.to !== undefined) throw new UsageError('--orphans rolls back the migrations of other branches; it takes no --to');
    return exitCodeForResults(await downOrphansAll(ctx), ctx.logger);
  }
  return exitCodeForResults(await downAll(ctx, { toVersion: parseVersionOption(options.to) }), ctx.logger);
}
