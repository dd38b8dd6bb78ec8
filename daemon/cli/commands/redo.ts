import { redoAll } from '../../app/migrations.ts';
import type { AppContext } from '../../app/context.ts';
import { exitCodeForResults } from '../results.ts';

export async function redoCommand(ctx: AppContext): Promise<number> {
  return exitCodeForResults(await redoAll(ctx), ctx.logger);
}
