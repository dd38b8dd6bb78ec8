import { isSchemasyncError, QueryError } from '../../errors.ts';
import { ServerQueryError } from './connection.ts';

/**
 * A bookkeeping query (goose's table, the ledger, a mutation wait, the catalog) that ClickHouse
 * refused, or that failed without the connection failing: what was being done, the server's
 * code and, for the codes that say, what to do.
 */
export function clickhouseQueryFailure(error: unknown, doing: string): QueryError {
  const server = error instanceof ServerQueryError ? error.server : undefined;
  const hint = server?.code ? HINTS[server.code] : undefined;
  return new QueryError(
    {
      target: 'clickhouse',
      doing,
      ...(server?.code === undefined ? {} : { serverCode: server.code }),
      serverMessage: server?.message ?? (error instanceof Error ? error.message : String(error)),
      ...(hint === undefined ? {} : { hint }),
    },
    { cause: error },
  );
}

/** ClickHouse error codes whose remedy is clear. */
const HINTS: Record<string, string> = {
  '497': 'the user lacks a grant; GRANT it the privilege named above (goose needs SELECT, INSERT and ALTER DELETE on its version table)',
  '164': 'the user is read-only (readonly setting); use a user that may write',
  '81': 'the database does not exist; create it or fix the URL',
};

/**
 * Failures outside a migration's own statements keep their typed error (ConnectionError when
 * unreachable); what the server refused, or a mutation wait that failed, is a QueryError.
 */
export function bookkeepingError(error: unknown, doing: string): Error {
  return isSchemasyncError(error) ? error : clickhouseQueryFailure(error, doing);
}
