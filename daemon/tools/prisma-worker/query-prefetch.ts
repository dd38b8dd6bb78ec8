/**
 * `db pull`'s schema engine asks its introspection queries one after another, and at 80 tables
 * one of them (columns, through information_schema) takes ~80 ms on its own, indexes ~25 ms: the
 * engine waits for each. Here the slow queries of the last pull are sent ahead, at once, on
 * connections of their own: when the daemon has just committed migrations (`hint`, while it reads
 * the catalog itself), or else as a pull begins. The engine is answered from them when it asks the
 * same query with the same arguments; anything else goes to the database as before. The database
 * is the one the engine would have queried a moment later: nothing else of the daemon's writes to
 * it between its last commit and the pull, and what was sent ahead is used only by a pull that
 * begins within FRESH_MS, and by no later one. Pure of Prisma: it sees the adapter's `queryRaw`.
 */

/** A query the last pull waited this long for is sent ahead in the next (by default). */
const SLOW_MS = 10;
/** At most this many at once (each takes a pooled connection of its own). */
const MAX_AHEAD = 3;
/** Queries sent ahead by a hint serve a pull that begins this soon after it. */
const FRESH_MS = 1000;

type QueryRaw = (query: unknown) => Promise<unknown>;
interface Timed {
  query: unknown;
  answer: Promise<unknown>;
  ms: number;
}

export interface QueryPrefetch {
  /** Routes `queryRaw` of a connected adapter (or a Result holding one) through here; returns it. */
  connection<T>(connected: T): T;
  /** The database has just changed: the last pull's slow queries are sent (again). */
  hint(): void;
  /** A pull begins: it takes what a hint sent ahead within FRESH_MS, or sends it now. */
  begin(): void;
  /** The pull is over: what it asked is remembered, what it did not is dropped. */
  end(): void;
}

export function createQueryPrefetch({ slowMs = SLOW_MS, freshMs = FRESH_MS } = {}): QueryPrefetch {
  let send: QueryRaw | undefined;
  /** The last pull's queries with the time each took, in the order asked. */
  let lastPull: Timed[] = [];
  let thisPull: Timed[] | undefined;
  const ahead = new Map<string, Timed>();
  /** When what is in `ahead` was sent. */
  let sentAt = -Infinity;

  const keyOf = (query: unknown) => JSON.stringify(query);

  /** Sends `query`; its `ms` is how long the database took (not how long anyone waited). */
  function timed(query: unknown, through: QueryRaw): Timed {
    const started = performance.now();
    const answer = through(query);
    const entry: Timed = { query, answer, ms: 0 };
    answer.then(
      () => (entry.ms = performance.now() - started),
      () => {}, // the engine sees the failure when it asks; unasked, it is nobody's
    );
    return entry;
  }

  function queryRaw(original: QueryRaw): QueryRaw {
    return (query) => {
      const key = keyOf(query);
      const entry = ahead.get(key) ?? timed(query, original);
      ahead.delete(key);
      thisPull?.push(entry);
      return entry.answer;
    };
  }

  function connection<T>(connected: T): T {
    const result = connected as { ok?: boolean; value?: unknown; queryRaw?: unknown };
    // Prisma 6 hands the engine a Result around a plain adapter object; 7 the adapter itself.
    const adapter = (result && 'ok' in result ? (result.ok ? result.value : undefined) : result) as { queryRaw?: QueryRaw } | undefined;
    if (typeof adapter?.queryRaw !== 'function') return connected;
    const original = adapter.queryRaw.bind(adapter);
    send = original;
    if (adapter === connected && Object.getPrototypeOf(adapter) !== Object.prototype) {
      // A class instance or a Proxy: wrapped, not written to.
      const routed = queryRaw(original);
      return new Proxy(adapter, {
        get: (target, property) => {
          if (property === 'queryRaw') return routed;
          const value: unknown = Reflect.get(target, property);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      }) as T;
    }
    adapter.queryRaw = queryRaw(original);
    return connected;
  }

  function sendAhead(): void {
    ahead.clear();
    sentAt = performance.now();
    if (!send) return;
    const slow = lastPull
      .filter((q) => q.ms >= slowMs)
      .sort((a, b) => b.ms - a.ms)
      .slice(0, MAX_AHEAD);
    for (const { query } of slow) ahead.set(keyOf(query), timed(query, send));
  }

  function hint(): void {
    if (!thisPull) sendAhead(); // during a pull, the pull's own are the freshest
  }

  function begin(): void {
    thisPull = [];
    if (performance.now() - sentAt > freshMs) sendAhead();
  }

  function end(): void {
    if (thisPull) lastPull = thisPull;
    thisPull = undefined;
    ahead.clear();
    sentAt = -Infinity;
  }

  return { connection, hint, begin, end };
}
