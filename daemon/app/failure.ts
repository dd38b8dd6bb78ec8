import { targetSpec, type TargetName } from '../config/targets.ts';
import { hasErrorCode, type SchemasyncError } from '../errors.ts';
import type { Logger } from '../log/types.ts';

/** What a command did before it failed: the migrations applied or rolled back, in order. */
export type DoneBefore = ReadonlyArray<{ file: string; direction: 'up' | 'down' }>;

/**
 * Logs a failure once, with everything a developer needs to act on it: the file and line, the
 * server's code, a code frame, and what stays applied where nothing could be rolled back.
 */
export function logFailure(logger: Logger, error: SchemasyncError, before: DoneBefore = []): void {
  // A stop is not a failure: what was cancelled (and rolled back) is said once, at info.
  if (error.code === 'CANCELLED') {
    logger.info({ event: 'cancelled' }, error.message);
    return;
  }
  const fields: Record<string, unknown> = { event: 'failure', code: error.code };
  if (hasErrorCode(error, 'MIGRATION')) {
    const { details } = error;
    Object.assign(fields, {
      file: details.file,
      line: details.line,
      column: details.column,
      serverCode: details.serverCode,
      frame: details.codeFrame,
    });
  } else if ('file' in error && 'line' in error) {
    const { file, line, codeFrame } = error as { file: string; line: number; codeFrame?: string };
    Object.assign(fields, { file, line, ...(codeFrame ? { frame: codeFrame } : {}) });
  } else if ('file' in error) {
    fields.file = (error as { file: string }).file;
  } else if (hasErrorCode(error, 'TOOL')) {
    const output = error.details.outputTail;
    if (!repeats(error.message, output)) fields.output = output;
  }
  logger.error(fields, failureLines(error, before).join('\n'));
}

/** The message and what it left behind, each said once and true to the direction. Pure. */
export function failureLines(error: SchemasyncError, before: DoneBefore = []): string[] {
  const lines = [error.message];
  if (hasErrorCode(error, 'MIGRATION')) {
    const { details } = error;
    // redo: the Down half already ran and removed the version row before the Up failed.
    const redone = details.direction === 'up' && before.some((done) => done.direction === 'down' && done.file === details.file);
    const versionTable = redone ? 'its Down had already run, so the version is no longer recorded' : 'the version table is unchanged';
    const ran = details.appliedStatements.map((i) => i + 1);
    // A target that already explained what stays applied (ClickHouse) is not repeated.
    if (ran.length > 0 && !/stay applied/i.test(error.message)) {
      const why = details.rolledBack
        ? `${details.target} rolled back the rest`
        : targetSpec(details.target as TargetName)?.transactional
          ? 'the file is marked NO TRANSACTION'
          : `${details.target} has no transactions`;
      lines.push(
        `${ran.length === 1 ? 'statement' : 'statements'} ${ran.join(', ')} of ${details.file} ran before the failure and STAY APPLIED ` +
          `(${why}); ${versionTable}, so fix the file and make it safe to run again`,
      );
    } else if (ran.length === 0 && details.rolledBack) {
      lines.push(
        redone
          ? `rolled back: the Up of ${details.file} left no trace, but ${versionTable}; fix the file and run \`schemasync up\``
          : `rolled back: ${details.file} left no trace and the version table is unchanged`,
      );
    }
  }
  const earlier = before.filter((done) => !(hasErrorCode(error, 'MIGRATION') && done.file === error.details.file));
  const ups = earlier.filter((done) => done.direction === 'up').length;
  const downs = earlier.length - ups;
  if (ups > 0) lines.push(`${ups} migration${ups === 1 ? '' : 's'} applied before the failure stay${ups === 1 ? 's' : ''} applied`);
  if (downs > 0) lines.push(`${downs} migration${downs === 1 ? '' : 's'} rolled back before the failure stay${downs === 1 ? 's' : ''} rolled back`);
  return lines;
}

/**
 * Does the message already say everything the tool printed? sqlc's errors, for one, are lifted
 * into the message with their file and line; printing its output below would repeat them. Lines
 * such as sqlc's `# package database` header carry nothing of their own.
 */
function repeats(message: string, output: string): boolean {
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('# '))
    .every((line) => message.includes(line));
}
