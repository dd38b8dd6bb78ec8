import { createQueryPrefetch, type QueryPrefetch } from './query-prefetch.ts';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   the project's driver adapter factory, loaded at run time: no types to check against. */
type Any = any;

/**
 * The worker's one database connection, for its whole life. SchemaEngine.new calls the factory's
 * connect() for every engine; @prisma/adapter-pg adds a pool 'error' listener each time and the
 * engine's free() never removes it. So every connect() gets the first connection, whose queries
 * go through the introspection prefetch (query-prefetch.ts); close() disposes it.
 */
export interface AdapterLink {
  /** The factory to hand the schema engine (made once, by `makeFactory`). */
  factory(): Promise<Any>;
  readonly prefetch: QueryPrefetch;
  close(): Promise<void>;
}

export function adapterLink(makeFactory: () => Promise<Any>): AdapterLink {
  const prefetch = createQueryPrefetch();
  let factory: Promise<Any> | undefined;
  let connected: Promise<Any> | undefined;
  const connectOnce = (target: Any): Any =>
    new Proxy(target, {
      get(on, property) {
        if (property === 'connect') return () => (connected ??= on.connect().then((connection: Any) => prefetch.connection(connection)));
        const value = on[property];
        return typeof value === 'function' ? value.bind(on) : value;
      },
    });
  return {
    prefetch,
    factory: () => (factory ??= makeFactory().then(connectOnce)),
    async close() {
      const result: Any = await connected?.catch(() => undefined);
      connected = undefined;
      factory = undefined;
      // connect() answers with a Result ({ ok, value }) in 6.x and with the adapter itself in 7.x.
      const live: Any = result && 'ok' in result ? (result.ok ? result.value : undefined) : result;
      await live?.dispose?.();
    },
  };
}
