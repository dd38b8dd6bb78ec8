import type { Logger } from '../log/types.ts';
import type { EngineResult } from '../pipeline/migrate.ts';
import { EXIT, exitCodeFor } from './exit.ts';
import { logFailure } from '../app/failure.ts';

/** Logs each target's failure once and turns the results into an exit status (the worst one wins). */
export function exitCodeForResults(results: EngineResult[], logger: Logger): number {
  let code: number = EXIT.ok;
  for (const result of results) {
    if (!result.error) continue;
    logFailure(logger.child({ target: result.target }), result.error, result.applied.length);
    code = Math.max(code, exitCodeFor(result.error));
  }
  return code;
}
