import { forEachTarget } from '../../app/oneshot.ts';
import { currentVersion } from '../../migrations/plan.ts';
import { asSchemasyncError } from '../../pipeline/migrate.ts';
import type { CommandContext } from '../context.ts';
import { EXIT, exitCodeFor } from '../exit.ts';
import { logFailure } from '../../app/failure.ts';

/** goose version: the current version of each target (goose CLI rule: the most recently applied). */
export async function versionCommand(ctx: CommandContext): Promise<number> {
  let code: number = EXIT.ok;
  await forEachTarget(ctx, async (engine) => {
    try {
      await engine.target.connect(engine.signal);
      ctx.stdout.write(`${engine.target.name}: version ${currentVersion(await engine.target.listVersions())}\n`);
    } catch (error) {
      const failure = asSchemasyncError(error);
      logFailure(engine.logger, failure);
      code = Math.max(code, exitCodeFor(failure));
    }
  });
  return code;
}
