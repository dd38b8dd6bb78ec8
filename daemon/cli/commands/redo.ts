import { redoAll } from '../../app/migrations.ts';
import type { CommandContext } from '../context.ts';
import { exitCodeForResults } from '../results.ts';

export async function redoCommand(ctx: CommandContext): Promise<number> {
  return exitCodeForResults(await redoAll(ctx), ctx.logger);
}
