import type { Logger } from '../log/types.ts';
import { formatDuration, runEndEvent, summarizeRun, type RunReport } from '../pipeline/report.ts';
import { logFailure } from './failure.ts';

/** The one line that ends a run: its summary, or the steps that failed (each was logged in full as it failed). */
export function logRunEnd(logger: Logger, report: RunReport): void {
  const failed = report.steps.filter((step) => step.status === 'failed');
  if (failed.length > 0 && failed.every((step) => step.error?.code === 'CANCELLED')) {
    // Stopped by a shutdown: one info line of what was cancelled and rolled back, no "failed".
    logger.info({ ...runEndEvent(report), run: report.id }, `stopped: ${failed.map((step) => step.error!.message).join('; ')}`);
    return;
  }
  // Other failures were logged as their steps ended (pipeline onFailure).
  for (const step of report.steps) {
    if (step.error?.code === 'CANCELLED') logFailure(logger.child({ run: report.id, step: step.name }), step.error);
  }
  if (report.ok) {
    logger.info({ ...runEndEvent(report), run: report.id }, summarizeRun(report));
    return;
  }
  // Each failure was just logged in full (file, line, code frame): the summary only names the steps.
  logger.error(
    { ...runEndEvent(report), run: report.id },
    `✖ failed in ${formatDuration(report.durationMs)} · ${failed.map((step) => step.name).join(', ')} failed (see above)`,
  );
}
