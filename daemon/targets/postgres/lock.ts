/**
 * The PostgreSQL migration lock: goose's session lock (pg_try_advisory_lock on goose's own key,
 * on a dedicated connection), polled. A session lock belongs to its connection: if the holder is
 * killed, the server ends its session and the lock vanishes with it, so a crashed runner never
 * blocks the next one. Sharing goose's key makes goose's Provider and schemasync exclude each other.
 */
import type pg from 'pg';

import { CancelledError, isSchemasyncError, LockError } from '../../errors.ts';
import type { Logger } from '../../log/types.ts';
import { sleep } from '../../util/sleep.ts';
import type { LockOptions } from '../target.ts';
import { describeLockHolder, type LockHolderRow } from './holder.ts';
import type { PostgresPool } from './pool.ts';
import * as sql from './queries.ts';

/** How often a waiting runner retries the advisory lock. goose retries every 5 s; a dev loop wants less. */
const LOCK_POLL_MS = 500;
/** How often a waiting runner reports who holds the lock. */
const LOCK_NOTICE_MS = 5_000;

/** Runs `fn` holding the lock; LockError after `timeoutMs`, CancelledError when `signal` aborts. fn's own errors pass through untouched. */
export async function withAdvisoryLock<T>(pool: PostgresPool, logger: Logger, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const client = await pool.checkout(options.signal);
  const onClientError = (error: Error) => logger.warn({ err: error }, 'the connection holding the migration lock failed');
  client.on('error', onClientError);
  try {
    await acquire(client, pool.where, options);
  } catch (error) {
    client.off('error', onClientError);
    // Destroyed, not pooled: an attempt whose answer was lost may still have taken the lock.
    client.release(true);
    throw isSchemasyncError(error) ? error : pool.queryError(error, 'take the migration lock');
  }
  let broken = false;
  try {
    return await fn();
  } finally {
    try {
      await client.query(sql.advisoryUnlock());
    } catch {
      // Dropping the connection ends the session, which releases the lock.
      broken = true;
    }
    client.off('error', onClientError);
    client.release(broken);
  }
}

/** Polls pg_try_advisory_lock until it succeeds; LockError after `timeoutMs`, CancelledError on abort. */
async function acquire(client: pg.PoolClient, where: string, { signal, timeoutMs, onWait }: LockOptions): Promise<void> {
  const cancelled = `waiting for the migration lock on ${where} was cancelled.`;
  const started = Date.now();
  let lastNotice = -Infinity;
  for (;;) {
    if (signal?.aborted) throw new CancelledError(cancelled);
    const { rows } = await client.query<{ locked: boolean }>(sql.tryAdvisoryLock());
    if (rows[0]?.locked) return;
    const waited = Date.now() - started;
    if (timeoutMs !== undefined && waited >= timeoutMs) {
      const holder = await describeHolder(client);
      throw new LockError(
        `the migration lock on ${where} is still held by ${holder} after ${Math.round(waited / 1000)} s; stop that runner or try again later.`,
      );
    }
    if (onWait && Date.now() - lastNotice >= LOCK_NOTICE_MS) {
      lastNotice = Date.now();
      onWait(await describeHolder(client));
    }
    await sleep(LOCK_POLL_MS, signal, cancelled);
  }
}

async function describeHolder(client: pg.PoolClient): Promise<string> {
  const { rows } = await client.query<LockHolderRow>(sql.lockHolder());
  return describeLockHolder(rows);
}
