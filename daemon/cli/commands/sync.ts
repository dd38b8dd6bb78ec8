import { syncOnce } from '../../app/sync.ts';
import type { AppContext } from '../../app/context.ts';

/** One full run; `--types` runs only the Prisma and sqlc steps (npm run dev:types). */
export async function syncCommand(ctx: AppContext, options: Record<string, unknown>): Promise<number> {
  if (options.allowMissing) ctx.config.allowMissing = true;
  return syncOnce(ctx, options.types ? 'types' : 'all');
}
