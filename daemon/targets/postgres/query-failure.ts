import { QueryError } from '../../errors.ts';
import { isServerError } from './connection.ts';

/**
 * A query of schemasync's own (goose's version table, the ledger, the catalog) that the server
 * refused for a reason other than the connection: the operation, the object, the SQLSTATE and,
 * where the code says what to do, a hint. Pure.
 */
export function queryFailure(error: unknown, doing: string, context: { object?: string; user: string }): QueryError {
  const server = isServerError(error) ? error : undefined;
  const hint = server ? hintFor(server.code, context) : undefined;
  return new QueryError(
    {
      target: 'postgres',
      doing,
      ...(context.object === undefined ? {} : { object: context.object }),
      ...(server ? { serverCode: server.code } : {}),
      serverMessage: server?.message ?? (error instanceof Error ? error.message : String(error)),
      ...(hint === undefined ? {} : { hint }),
    },
    { cause: error },
  );
}

function hintFor(sqlstate: string, { object, user }: { object?: string; user: string }): string | undefined {
  const on = object ? ` on ${object}` : '';
  switch (sqlstate) {
    case '42501':
      return `the role "${user}" lacks a privilege${on}; grant it (goose needs SELECT, INSERT and DELETE on its version table) or connect as the owner`;
    case '3F000':
      return 'the schema does not exist; create it, or fix the schema in --table / GOOSE_TABLE';
    case '25006':
      return 'the server is read-only (a standby, or default_transaction_read_only is on); point the URL at a writable primary';
    case '55P03':
      return `another session holds a lock${on} (lock_timeout expired); try again once it is done`;
    case '57014':
      return 'the statement was cancelled (statement_timeout, or an administrator); try again';
    default:
      return undefined;
  }
}
