import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { newMigrationFileName, SQL_TEMPLATE } from '../../migrations/filename.ts';
import { readMigrations } from '../../migrations/source.ts';
import { UsageError } from '../../errors.ts';
import type { CommandContext } from '../context.ts';
import { EXIT } from '../exit.ts';

/** goose create NAME sql: same file name and template; refuses to overwrite. */
export async function createCommand(ctx: CommandContext, options: Record<string, unknown>, args: string[]): Promise<number> {
  const [name] = args;
  if (!name) throw new UsageError('create needs a NAME, e.g. schemasync create add_users');
  const target = options.target === 'clickhouse' ? 'clickhouse' : 'postgres';
  const dir = ctx.config[target].dir;
  await mkdir(dir, { recursive: true });
  const { files } = await readMigrations(dir, { projectRoot: ctx.config.projectRoot });
  const fileName = newMigrationFileName(name, new Date(), { sequential: Boolean(options.sequential), existingVersions: files.map((f) => f.version) });
  const file = path.join(dir, fileName);
  try {
    await writeFile(file, SQL_TEMPLATE, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${path.relative(ctx.config.projectRoot, file)} already exists`);
    throw error;
  }
  ctx.stdout.write(`Created new file: ${path.relative(ctx.config.projectRoot, file)}\n`);
  return EXIT.ok;
}
