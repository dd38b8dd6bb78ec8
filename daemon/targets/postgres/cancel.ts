import pg from 'pg';

import type { Logger } from '../../log/types.ts';
import { APPLICATION_NAME } from './pool.ts';
import * as sql from './queries.ts';

export interface CancellationGuard {
  /** True once `signal` aborted while armed: the failure that follows is ours. */
  readonly aborted: boolean;
  disarm(): void;
}

/**
 * While armed, an abort of `signal` cancels whatever `client` is running, from a separate
 * connection (pg_cancel_backend), so the running statement fails at once with 57014 and the
 * caller rolls back.
 */
export async function cancellationGuard(client: pg.PoolClient, signal: AbortSignal | undefined, url: string, logger: Logger): Promise<CancellationGuard> {
  const state = { aborted: false, disarm: () => {} };
  if (!signal) return state;
  // The server announces its pid at connect (BackendKeyData); asking again would cost a round
  // trip per migration, ~2,000 of them on a first start.
  const pid = backendPidOf(client) ?? (await client.query<{ pid: number }>(sql.backendPid())).rows[0]?.pid;
  const onAbort = () => {
    state.aborted = true;
    if (pid !== undefined) void cancelBackend(url, pid, logger);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  state.disarm = () => signal.removeEventListener('abort', onAbort);
  if (signal.aborted) state.aborted = true;
  return state;
}

async function cancelBackend(url: string, pid: number, logger: Logger): Promise<void> {
  // A fresh client, not the pool: the pool may be fully checked out by the very work we cancel.
  const client = new pg.Client({ connectionString: url, application_name: APPLICATION_NAME, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query(sql.cancelBackend(), [pid]);
  } catch (error) {
    logger.warn({ pid, err: error }, 'could not cancel the running migration statement');
  } finally {
    await client.end().catch(() => {});
  }
}

/** The backend pid pg read from the server's BackendKeyData message (`processID`, not in pg's typings). */
function backendPidOf(client: pg.PoolClient): number | undefined {
  const pid = (client as { processID?: unknown }).processID;
  return typeof pid === 'number' && pid > 0 ? pid : undefined;
}
