import path from 'node:path';

import { createMigration } from '../../app/migrations.ts';
import { UsageError } from '../../errors.ts';
import type { AppContext } from '../../app/context.ts';
import { EXIT } from '../exit.ts';

/** goose create NAME sql, in the folder of the --target (default: goose's, GOOSE_DRIVER's target). */
export async function createCommand(ctx: AppContext, options: Record<string, unknown>, args: string[]): Promise<number> {
  const [name] = args;
  if (!name) throw new UsageError('create needs a NAME, e.g. schemasync create add_users');
  const file = await createMigration(ctx, ctx.config.defaultTarget, name, { sequential: Boolean(options.sequential) });
  ctx.stdout.write(`Created new file: ${path.relative(ctx.config.projectRoot, file)}\n`);
  return EXIT.ok;
}
