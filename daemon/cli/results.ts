import { logFailure, type DoneBefore } from '../app/failure.ts';
import type { SchemasyncError } from '../errors.ts';
import type { Logger } from '../log/types.ts';
import { EXIT, exitCodeFor } from './exit.ts';

/** Logs each target's failure once and turns the results into an exit status (the worst one wins). */
export function exitCodeForResults(results: Array<{ target: string; error?: SchemasyncError; applied?: DoneBefore }>, logger: Logger): number {
  let code: number = EXIT.ok;
  for (const result of results) {
    if (!result.error) continue;
    logFailure(logger.child({ target: result.target }), result.error, result.applied);
    code = Math.max(code, exitCodeFor(result.error));
  }
  return code;
}
