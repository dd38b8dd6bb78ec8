import { syncOnce } from '../../app/daemon.ts';
import type { CommandContext } from '../context.ts';

/** One full run; `--types` runs only the Prisma and sqlc steps (npm run dev:types). */
export async function syncCommand(ctx: CommandContext, options: Record<string, unknown>): Promise<number> {
  if (options.allowMissing) ctx.config.allowMissing = true;
  return syncOnce(ctx, options.types ? 'types' : 'all');
}
