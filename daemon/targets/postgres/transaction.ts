import type pg from 'pg';

import * as sql from './queries.ts';

export interface TransactionOptions {
  /** The opening statement; default plain BEGIN. */
  begin?: string;
  /** Asked when the client is released: true destroys it instead of pooling it (e.g. a cancel request may still be in flight). */
  discard?: () => boolean;
}

/**
 * The one transaction block of the PostgreSQL target: BEGIN → `fn(client)` → COMMIT, ROLLBACK
 * when anything fails (and the error rethrown as is), and `client` released in every case.
 * A client whose ROLLBACK failed is destroyed: the server rolls back an open transaction when
 * its connection goes away, so dropping it is the rollback.
 */
export async function withTransaction<T>(client: pg.PoolClient, fn: (client: pg.PoolClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  let broken = false;
  try {
    await client.query(options.begin ?? sql.BEGIN);
    const result = await fn(client);
    await client.query(sql.COMMIT);
    return result;
  } catch (error) {
    try {
      await client.query(sql.ROLLBACK);
    } catch {
      broken = true;
    }
    throw error;
  } finally {
    client.release(broken || (options.discard?.() ?? false));
  }
}
