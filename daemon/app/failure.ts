import type { MigrationError, SchemasyncError, ToolError } from '../errors.ts';
import type { Logger } from '../log/types.ts';

/**
 * Logs a failure once, with everything a developer needs to act on it: the file and line, the
 * server's code, a code frame, and what stays applied where nothing could be rolled back.
 */
export function logFailure(logger: Logger, error: SchemasyncError, appliedBefore = 0): void {
  const fields: Record<string, unknown> = { event: 'failure', code: error.code };
  const lines = [error.message];
  if (error.code === 'MIGRATION' && 'details' in error) {
    const { details } = error as MigrationError;
    Object.assign(fields, {
      file: details.file,
      line: details.line,
      column: details.column,
      serverCode: details.serverCode,
      frame: details.codeFrame,
    });
    if (details.appliedStatements.length > 0) {
      lines.push(
        `statements ${details.appliedStatements.map((i) => i + 1).join(', ')} of ${details.file} ran before the failure and STAY APPLIED ` +
          `(${details.target} ${details.rolledBack ? 'rolled back the rest' : 'has no transactions'}); the version table is unchanged, so fix the file and make it safe to run again`,
      );
    } else if (details.rolledBack) {
      lines.push(`rolled back: ${details.file} left no trace and the version table is unchanged`);
    }
  } else if ('file' in error && 'line' in error) {
    Object.assign(fields, { file: (error as { file: string }).file, line: (error as { line: number }).line });
  } else if ('file' in error) {
    fields.file = (error as { file: string }).file;
  } else if (error.code === 'TOOL' && 'details' in error) {
    const output = (error as ToolError).details.outputTail;
    if (!repeats(error.message, output)) fields.output = output;
  }
  if (appliedBefore > 0) lines.push(`${appliedBefore} migration(s) applied before the failure stay applied`);
  logger.error(fields, lines.join('\n'));
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
