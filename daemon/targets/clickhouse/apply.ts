/**
 * Applying one migration on ClickHouse, which has no transactions: statement by statement (the
 * server refuses several statements in one query), the version row written only after every
 * statement succeeded, exactly as goose does, so a failure leaves the earlier statements applied
 * and no version row (goose issue #1106). The errors say plainly what stays applied.
 */
import { CancelledError, ConnectionError, hasErrorCode, messageOf, MigrationError, type MigrationErrorDetails } from '../../errors.ts';
import { codeFrame } from '../../migrations/frame.ts';
import { positionInFile } from '../../migrations/parse.ts';
import type { Statement } from '../../migrations/types.ts';
import type { ApplyUnit } from '../target.ts';
import { ddlTimeoutNote } from './cluster-ddl.ts';
import { ServerQueryError, type ClickHouseSession } from './connection.ts';
import type { ClickHouseLedger } from './ledger.ts';
import { bookkeepingError } from './query-failure.ts';
import { errorOffset } from './server-error.ts';
import type { ClickHouseVersions } from './versions.ts';

export interface ApplyContext {
  session: ClickHouseSession;
  versions: ClickHouseVersions;
  ledger: ClickHouseLedger;
  /** For messages: the server (and cluster). */
  where: string;
  /** Cluster mode: statement timeouts name the replica, and a failed version write says what ran. */
  clusterMode: boolean;
}

export async function applyUnit(context: ApplyContext, unit: ApplyUnit, signal?: AbortSignal): Promise<void> {
  const { session, versions } = context;
  const { file, direction, statements } = unit;
  try {
    await versions.ensure();
  } catch (error) {
    throw bookkeepingError(error, `prepare goose's version table ${versions.table}`);
  }
  for (const [index, statement] of statements.entries()) {
    try {
      await session.command(statement.sql, signal);
    } catch (error) {
      if (hasErrorCode(error, 'CANCELLED')) throw cancelledMidFile(error, unit, index);
      if (!(error instanceof ServerQueryError)) throw error;
      const note = context.clusterMode && error.server.code === '159' ? await ddlTimeoutNote(session, error.server.message) : '';
      throw migrationFailure(unit, index, statement, error, note);
    }
  }
  // Not cancellable: once every statement ran, the version must be recorded, or the next run
  // would apply the file again.
  try {
    await versions.record(unit);
  } catch (error) {
    if (context.clusterMode) throw notRecorded(context.where, unit, error);
    throw bookkeepingError(error, `record version ${file.version} (${file.name}) in ${versions.table} after its ${direction} statements all ran`);
  }
  await context.ledger.record(unit);
}

/** The MigrationError of a failed statement; its message says plainly what stays applied. */
function migrationFailure(unit: ApplyUnit, index: number, statement: Statement, error: ServerQueryError, note = ''): MigrationError {
  const offset = errorOffset(error.server.message, statement.sql);
  const position = offset === undefined ? { line: statement.lines[0] ?? 1, column: statement.column } : positionInFile(statement, offset);
  const details: MigrationErrorDetails = {
    target: 'clickhouse',
    file: unit.file.path,
    direction: unit.direction,
    statementIndex: index,
    statement: statement.sql,
    line: position.line,
    column: position.column,
    serverMessage: error.server.message,
    codeFrame: codeFrame(unit.file.text, position.line, position.column),
    appliedStatements: [...Array(index).keys()],
    rolledBack: false,
  };
  if (error.server.code !== undefined) details.serverCode = error.server.code;
  const failure = new MigrationError(details, { cause: error });
  const stop = note && !/[.?!]$/.test(failure.message) ? '.' : '';
  failure.message = `${failure.message}${stop}${note} ${partialNote(unit, index)}`;
  return failure;
}

/** Cluster mode: every statement ran, but the quorum write of the version row failed. */
function notRecorded(where: string, unit: ApplyUnit, error: unknown): Error {
  if (hasErrorCode(error, 'CANCELLED')) return error;
  const { file, direction } = unit;
  const reason = messageOf(error).replace(/^cannot reach \S+: /, '');
  const ran = unit.statements.length === 0 ? 'it has no statements' : `all ${unit.statements.length} of its statements ran and stay applied`;
  const next = direction === 'up' ? 'the next up applies it again' : 'it still counts as applied';
  return new ConnectionError(
    where,
    `version ${file.version} (${file.name}, ${direction}) was NOT recorded: ${reason}${/[.?!]$/.test(reason) ? '' : '.'} ${file.name}: ${ran}; ${next} once every replica is back, so its statements must be able to run twice (IF NOT EXISTS / IF EXISTS).`,
    { cause: error },
  );
}

function cancelledMidFile(error: CancelledError, unit: ApplyUnit, index: number): CancelledError {
  return index === 0 ? error : new CancelledError(`${error.message}. ${partialNote(unit, index)}`);
}

function partialNote(unit: ApplyUnit, index: number): string {
  const recorded = `version ${unit.file.version} was not ${unit.direction === 'up' ? 'recorded' : 'removed'} in goose's table`;
  if (index === 0) return `Nothing of ${unit.file.name} ran; ${recorded}.`;
  const ran = index === 1 ? 'statement 1' : `statements 1-${index}`;
  return `ClickHouse has no transactions: ${ran} of ${unit.file.name} (${unit.direction}) already ran and stay applied; ${recorded}.`;
}
