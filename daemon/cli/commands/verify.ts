import { driftExitCode, driftJson, formatDriftReport, verifyOnce } from '../../app/verify.ts';
import type { AppContext } from '../../app/context.ts';

/**
 * `schemasync verify [--json] [--rollback] [--no-shadow]`: every drift check configuration
 * allows. Prints the report (stdout: readable, or `{ ok, findings, unchecked }` with --json) and
 * exits 0 in sync, 1 drift found, 2 something could not be checked.
 */
export async function verifyCommand(ctx: AppContext, options: Record<string, unknown>): Promise<number> {
  const report = await verifyOnce(ctx, {
    shadow: options.shadow !== false,
    rollback: options.rollback === true,
  });
  ctx.stdout.write(options.json ? `${JSON.stringify(driftJson(report), null, 2)}\n` : `${formatDriftReport(report)}\n`);
  return driftExitCode(report);
}
