import { MigrationError } from '../../errors.ts';
import { codeFrame } from '../../migrations/frame.ts';
import { positionInFile } from '../../migrations/parse.ts';
import type { Statement } from '../../migrations/types.ts';
import type { ApplyUnit } from '../target.ts';
import { isServerError } from './connection.ts';

/**
 * Turns a failed statement into a MigrationError: SQLSTATE and message from the server, and the
 * file position of the error — the server's `position` (a 1-based *character* index into the
 * statement text) mapped back to line:column of the migration file, else the statement's first
 * line. Pure.
 */
export function migrationFailure(
  unit: ApplyUnit,
  statementIndex: number,
  error: unknown,
  outcome: { rolledBack: boolean; appliedStatements: number[] },
): MigrationError {
  const statement = unit.statements[statementIndex];
  const where = statement ? statementPosition(statement, error) : undefined;
  const server = isServerError(error) ? error : undefined;
  return new MigrationError(
    {
      target: 'postgres',
      file: unit.file.path,
      direction: unit.direction,
      statementIndex,
      statement: statement?.sql ?? '',
      line: where?.line,
      column: where?.column,
      serverCode: server?.code,
      serverMessage: server ? serverMessage(server) : error instanceof Error ? error.message : String(error),
      codeFrame: where ? codeFrame(unit.file.text, where.line, where.column) : undefined,
      appliedStatements: outcome.appliedStatements,
      rolledBack: outcome.rolledBack,
    },
    { cause: error },
  );
}

/** The file position of an error in `statement`. */
export function statementPosition(statement: Statement, error: unknown): { line: number; column: number } {
  const position = isServerError(error) && error.position ? Number(error.position) : NaN;
  if (Number.isInteger(position) && position >= 1) {
    // positionInFile takes the server's 1-based character position as is.
    return positionInFile(statement, position);
  }
  return { line: statement.lines[0] ?? 1, column: statement.column };
}

function serverMessage(error: { message: string; detail?: string; hint?: string }): string {
  let text = error.message;
  if (error.detail) text += ` (${error.detail})`;
  if (error.hint) text += ` Hint: ${error.hint}`;
  return text;
}
