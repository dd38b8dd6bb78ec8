import { describe, expect, it } from 'vitest';

import { createQueryPrefetch as createPrefetch } from '../../../../daemon/tools/prisma-worker/query-prefetch.ts';

interface Query {
  sql: string;
  args: unknown[];
}

/** Slow queries take SLOW ms here (half of it counts as slow); the others answer at once. */
const SLOW = 60;
/** A hint's queries serve a pull that begins within FRESH ms. */
const FRESH = 150;
const createQueryPrefetch = () => createPrefetch({ slowMs: SLOW / 2, freshMs: FRESH });

/** A database of pure logic: answers `slow` queries after SLOW ms, the rest at once, and lists what it was sent. */
function database(slow: string[] = []) {
  const sent: string[] = [];
  const queryRaw = async (query: unknown) => {
    const { sql, args } = query as Query;
    sent.push(sql);
    if (slow.includes(sql)) await new Promise((resolve) => setTimeout(resolve, SLOW));
    return { rows: [[sql, ...args]] };
  };
  return { sent, queryRaw };
}

const q = (sql: string, ...args: unknown[]): Query => ({ sql, args });

/** One pull: the engine asks `queries` one after another. */
async function pull(prefetch: ReturnType<typeof createQueryPrefetch>, adapter: { queryRaw: (q: unknown) => Promise<unknown> }, queries: Query[]) {
  prefetch.begin();
  const answers = [];
  try {
    for (const query of queries) answers.push(await adapter.queryRaw(query));
  } finally {
    prefetch.end();
  }
  return answers;
}

describe('introspection queries sent ahead', () => {
  it('the first pull goes to the database as asked; the next has its slow queries sent at its start', async () => {
    const db = database(['columns', 'indexes']);
    const prefetch = createQueryPrefetch();
    const result = prefetch.connection({ ok: true, value: { queryRaw: db.queryRaw } });
    const adapter = result.value;
    const queries = [q('namespaces'), q('columns', 'public'), q('indexes', 'public')];
    expect(await pull(prefetch, adapter, queries)).toEqual([{ rows: [['namespaces']] }, { rows: [['columns', 'public']] }, { rows: [['indexes', 'public']] }]);
    expect(db.sent).toEqual(['namespaces', 'columns', 'indexes']);

    db.sent.length = 0;
    prefetch.begin();
    // Sent as the pull begins, before the engine asks anything.
    expect([...db.sent].sort()).toEqual(['columns', 'indexes']);
    const answers = [];
    for (const query of queries) answers.push(await adapter.queryRaw(query));
    prefetch.end();
    expect(answers).toEqual([{ rows: [['namespaces']] }, { rows: [['columns', 'public']] }, { rows: [['indexes', 'public']] }]);
    expect(db.sent.slice(2)).toEqual(['namespaces']); // each sent once
  });

  it('a query with other arguments is not answered from one sent ahead; one not asked again is dropped', async () => {
    const db = database(['columns']);
    const prefetch = createQueryPrefetch();
    const adapter = prefetch.connection({ ok: true, value: { queryRaw: db.queryRaw } }).value;
    await pull(prefetch, adapter, [q('columns', 'public')]);
    db.sent.length = 0;
    const answers = await pull(prefetch, adapter, [q('columns', 'other')]);
    expect(answers).toEqual([{ rows: [['columns', 'other']] }]);
    expect(db.sent).toEqual(['columns', 'columns']); // the one sent ahead, then the one asked
    // The one sent ahead in that pull was not asked: not kept for later.
    db.sent.length = 0;
    await pull(prefetch, adapter, [q('namespaces')]);
    expect(db.sent).toEqual(['columns', 'namespaces']); // 'other' was slow last time
    db.sent.length = 0;
    await pull(prefetch, adapter, [q('namespaces')]);
    expect(db.sent).toEqual(['namespaces']); // nothing slow in the last pull
  });

  it('a failure of a query sent ahead reaches the engine when it asks, and no one otherwise', async () => {
    let fail = false;
    const queryRaw = async (query: unknown) => {
      await new Promise((resolve) => setTimeout(resolve, SLOW));
      if (fail) throw new Error(`no ${(query as Query).sql}`);
      return { rows: [] };
    };
    const prefetch = createQueryPrefetch();
    const adapter = prefetch.connection({ ok: true, value: { queryRaw } }).value;
    await pull(prefetch, adapter, [q('columns')]);
    fail = true;
    await expect(pull(prefetch, adapter, [q('columns')])).rejects.toThrow('no columns');
    // Sent ahead, failed, never asked: no unhandled rejection (vitest would report one).
    prefetch.begin();
    prefetch.end();
    await new Promise((resolve) => setTimeout(resolve, SLOW * 2));
  });

  it('an adapter that is a class instance is wrapped, not written to', async () => {
    const db = database(['columns']);
    class Adapter {
      readonly provider = 'postgres';
      queryRaw(query: unknown) {
        return db.queryRaw(query);
      }
    }
    const original = new Adapter();
    const prefetch = createQueryPrefetch();
    const adapter = prefetch.connection(original);
    expect(adapter).not.toBe(original);
    expect(Object.hasOwn(original, 'queryRaw')).toBe(false);
    expect(adapter.provider).toBe('postgres');
    await pull(prefetch, adapter, [q('columns')]);
    db.sent.length = 0;
    prefetch.begin();
    expect(db.sent).toEqual(['columns']);
    await adapter.queryRaw(q('columns'));
    prefetch.end();
    expect(db.sent).toEqual(['columns']);
  });

  it('a failed connection (a Result that is not ok) is passed through untouched', () => {
    const prefetch = createQueryPrefetch();
    const failed = { ok: false, error: { kind: 'postgres' } };
    expect(prefetch.connection(failed)).toBe(failed);
    prefetch.begin(); // nothing to send through
    prefetch.end();
  });

  it('a hint sends the slow queries as the database changes; a pull beginning soon after takes them', async () => {
    const db = database(['columns']);
    const prefetch = createQueryPrefetch();
    const adapter = prefetch.connection({ ok: true, value: { queryRaw: db.queryRaw } }).value;
    await pull(prefetch, adapter, [q('namespaces'), q('columns')]);
    db.sent.length = 0;
    prefetch.hint();
    expect(db.sent).toEqual(['columns']);
    // A second hint (another commit) sends them again: the first's may predate it.
    prefetch.hint();
    expect(db.sent).toEqual(['columns', 'columns']);
    await pull(prefetch, adapter, [q('namespaces'), q('columns')]);
    expect(db.sent).toEqual(['columns', 'columns', 'namespaces']);
  });

  it("a hint's queries go stale: a pull beginning later sends its own", async () => {
    const db = database(['columns']);
    const prefetch = createQueryPrefetch();
    const adapter = prefetch.connection({ ok: true, value: { queryRaw: db.queryRaw } }).value;
    await pull(prefetch, adapter, [q('columns')]);
    db.sent.length = 0;
    prefetch.hint(); // say, a migration that changed no schema: no pull follows
    await new Promise((resolve) => setTimeout(resolve, FRESH * 2));
    await pull(prefetch, adapter, [q('columns')]);
    expect(db.sent).toEqual(['columns', 'columns']); // the hint's, then the pull's own
  });

  it('a hint during a pull sends nothing', async () => {
    const db = database(['columns']);
    const prefetch = createQueryPrefetch();
    const adapter = prefetch.connection({ ok: true, value: { queryRaw: db.queryRaw } }).value;
    await pull(prefetch, adapter, [q('columns')]);
    db.sent.length = 0;
    prefetch.begin();
    prefetch.hint();
    await adapter.queryRaw(q('columns'));
    prefetch.end();
    expect(db.sent).toEqual(['columns']);
  });
});
