import { versionAll } from '../../app/migrations.ts';
import type { AppContext } from '../../app/context.ts';
import { exitCodeForResults } from '../results.ts';

/** goose version: the current version of each target. */
export async function versionCommand(ctx: AppContext): Promise<number> {
  const results = await versionAll(ctx);
  for (const result of results) {
    if (result.currentVersion !== undefined) ctx.stdout.write(`${result.target}: version ${result.currentVersion}\n`);
  }
  return exitCodeForResults(results, ctx.logger);
}
