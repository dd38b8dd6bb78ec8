import path from 'node:path';

import { createMigration } from '../../app/migrations.ts';
import { UsageError } from '../../errors.ts';
import type { CommandContext } from '../context.ts';
import { EXIT } from '../exit.ts';

/** goose create NAME sql, for the PostgreSQL or the ClickHouse folder. */
export async function createCommand(ctx: CommandContext, options: Record<string, unknown>, args: string[]): Promise<number> {
  const [name] = args;
  if (!name) throw new UsageError('create needs a NAME, e.g. schemasync create add_users');
  const file = await createMigration(ctx, options.target === 'clickhouse' ? 'clickhouse' : 'postgres', name, { sequential: Boolean(options.sequential) });
  ctx.stdout.write(`Created new file: ${path.relative(ctx.config.projectRoot, file)}\n`);
  return EXIT.ok;
}
