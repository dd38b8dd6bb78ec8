import { versionAll } from '../../app/migrations.ts';
import type { CommandContext } from '../context.ts';
import { exitCodeForResults } from '../results.ts';

/** goose version: the current version of each target. */
export async function versionCommand(ctx: CommandContext): Promise<number> {
  const results = await versionAll(ctx);
  for (const result of results) {
    if (result.currentVersion !== undefined) ctx.stdout.write(`${result.target}: version ${result.currentVersion}\n`);
  }
  return exitCodeForResults(results, ctx.logger);
}
