import type pg from 'pg';

import { CancelledError, isSchemasyncError } from '../../errors.ts';
import type { Logger } from '../../log/types.ts';
import type { ApplyUnit } from '../target.ts';
import { cancellationGuard } from './cancel.ts';
import { isConnectionFailure } from './connection.ts';
import { migrationFailure } from './failure.ts';
import type { PostgresLedger } from './ledger.ts';
import type { PostgresPool } from './pool.ts';
import { withTransaction } from './transaction.ts';
import type { VersionTable } from './versions.ts';

const ROLLED_BACK = 'it was rolled back, nothing of it stays applied';

/** What applying a migration uses: the connections, goose's table and the ledger. */
export interface ApplyContext {
  pool: PostgresPool;
  versions: VersionTable;
  ledger: PostgresLedger;
  logger: Logger;
}

/** BEGIN → every statement of every unit → its version row → COMMIT; anything failing rolls all of it back. */
export async function applyInTransaction(context: ApplyContext, units: ApplyUnit[], signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) throw cancelled(units[0], 'before it started, so nothing of it was applied');
  const { pool } = context;
  const client = await pool.checkout(signal);
  const guard = await cancellationGuard(client, signal, pool.url, context.logger);
  // After an abort a cancel request may still be in flight: never hand this session to someone else.
  const discard = () => {
    guard.disarm();
    return guard.aborted;
  };
  try {
    await withTransaction(
      client,
      async () => {
        for (const unit of units) {
          for (const [index, statement] of unit.statements.entries()) {
            if (guard.aborted) throw cancelled(unit, ROLLED_BACK);
            try {
              // No values: pg uses the simple query protocol, exactly like goose (several commands per statement allowed).
              await client.query(statement.sql);
            } catch (error) {
              if (guard.aborted) throw cancelled(unit, ROLLED_BACK);
              if (isConnectionFailure(error)) throw pool.connectionError(error);
              throw migrationFailure(unit, index, error, { rolledBack: true, appliedStatements: [] });
            }
          }
          await record(context, client, unit);
        }
        if (guard.aborted) throw cancelled(units[0], ROLLED_BACK);
        // From here the COMMIT decides: a late abort must not cancel it halfway.
        guard.disarm();
      },
      { discard },
    );
  } catch (error) {
    throw isSchemasyncError(error) ? error : pool.queryError(error, 'apply a migration');
  }
}

/**
 * goose §4: autocommit, one statement at a time on ONE connection (so session settings carry
 * over), and the version row written only after every statement succeeded. A failure leaves
 * the earlier statements applied and no version row; the error lists them.
 */
export async function applyWithoutTransaction(context: ApplyContext, unit: ApplyUnit, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) throw cancelled(unit, 'before it started, so nothing of it was applied');
  const { pool } = context;
  const client = await pool.checkout(signal);
  const guard = await cancellationGuard(client, signal, pool.url, context.logger);
  const applied: number[] = [];
  const appliedSoFar = () =>
    applied.length === 0 ? 'nothing of it was applied' : `NO TRANSACTION file: statements ${applied.map((i) => i + 1).join(', ')} stay applied`;
  try {
    for (const [index, statement] of unit.statements.entries()) {
      if (guard.aborted) throw cancelled(unit, appliedSoFar());
      try {
        await client.query(statement.sql);
      } catch (error) {
        if (guard.aborted) throw cancelled(unit, appliedSoFar());
        if (isConnectionFailure(error)) throw pool.connectionError(error);
        throw migrationFailure(unit, index, error, { rolledBack: false, appliedStatements: [...applied] });
      }
      applied.push(index);
    }
    guard.disarm();
    await record(context, client, unit);
  } catch (error) {
    throw isSchemasyncError(error) ? error : pool.queryError(error, `apply ${unit.file.path}`);
  } finally {
    guard.disarm();
    client.release(guard.aborted);
  }
}

/**
 * goose's version row and schemasync's ledger entry, on the migration's own connection: inside
 * its transaction when it has one, so the ledger can never disagree with the applied schema.
 */
async function record({ versions, ledger }: ApplyContext, client: pg.PoolClient, unit: ApplyUnit): Promise<void> {
  await versions.record(client, unit);
  await ledger.record(client, unit);
}

function cancelled(unit: ApplyUnit | undefined, outcome: string): CancelledError {
  const what = unit ? `${unit.direction} of ${unit.file.path}` : 'the migration';
  return new CancelledError(`postgres: ${what} was cancelled; ${outcome}.`);
}
