import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

/**
 * The driver adapter `prisma db pull` introspects through (`engine: 'js'` in prisma.config.ts).
 *
 * Why a wrapper: `@prisma/adapter-pg` 6.19 maps each result column's type oid to a Prisma column
 * type and has no entry for two catalog-only types the schema engine's introspection queries
 * return: `name` (oid 19, identifiers) and `"char"` (oid 18, one-byte codes such as
 * `pg_constraint.contype`). The first fails the pull ("Column type 'name' could not be
 * deserialized"); reading the second as text makes the WASM schema engine panic ("unreachable"),
 * because it expects a Character column there. Both are text on the wire, so:
 *   - the pool's Client reports `name` columns as `text`, and tags `"char"` values;
 *   - the adapter's queryRaw turns tagged columns into Character columns (the type the native
 *     engine would have produced) and unwraps the values.
 * This belongs to the example project, not to schemasync: an app using Prisma's JS schema engine
 * on PostgreSQL needs it until the adapter learns these types.
 */
export function createPrismaAdapter(connectionString: string) {
  const pool = new pg.Pool({
    connectionString,
    Client: CatalogTypesClient,
    // The CLI does not close the adapter after `db pull`; without this its idle connections keep
    // the process alive for pg's idle timeout (10 s) after the work is done.
    allowExitOnIdle: true,
  });
  return wrapFactory(new PrismaPg(pool, { disposeExternalPool: true }));
}

const CHAR_OID = 18;
const NAME_OID = 19;
const TEXT_OID = 25;
/** `ColumnTypeEnum.Character` of @prisma/driver-adapter-utils. */
const CHARACTER_COLUMN = 6;

/** A `"char"` value on its way from the Client to the adapter wrapper. */
class CatalogChar {
  constructor(readonly value: string | null) {}
}

type QueryCallback = (error: Error | null, result?: pg.QueryResult) => void;

function retypeCatalogColumns(result: pg.QueryResult | pg.QueryResult[] | undefined): void {
  for (const each of Array.isArray(result) ? result : result ? [result] : []) {
    (each.fields ?? []).forEach((field, index) => {
      if (field.dataTypeID === NAME_OID) field.dataTypeID = TEXT_OID;
      if (field.dataTypeID !== CHAR_OID) return;
      field.dataTypeID = TEXT_OID;
      for (const row of each.rows as unknown[]) {
        // The adapter always queries in array row mode; rows of other shapes are left alone.
        if (Array.isArray(row)) row[index] = new CatalogChar(row[index] as string | null);
      }
    });
  }
}

/** A pg Client that retypes `name` and `"char"` result columns (see createPrismaAdapter). */
class CatalogTypesClient extends pg.Client {
  // pg's query() has several overloads (callback, promise, submittable): patch each result form.
  override query(...args: unknown[]): never {
    const callSuper = super.query.bind(this) as (...a: unknown[]) => unknown;
    const last = args.at(-1);
    if (typeof last === 'function') {
      const callback = last as QueryCallback;
      args[args.length - 1] = (error: Error | null, result?: pg.QueryResult) => {
        if (!error) retypeCatalogColumns(result);
        callback(error, result);
      };
      return callSuper(...args) as never;
    }
    const returned = callSuper(...args);
    if (returned instanceof Promise) {
      return returned.then((result: pg.QueryResult) => {
        retypeCatalogColumns(result);
        return result;
      }) as never;
    }
    return returned as never;
  }
}

type Adapter = Awaited<ReturnType<PrismaPg['connect']>>;
type ResultSet = Awaited<ReturnType<Adapter['queryRaw']>>;

function unwrapCatalogChars(result: ResultSet): ResultSet {
  result.columnTypes.forEach((_, column) => {
    if (!result.rows.some((row) => row[column] instanceof CatalogChar)) return;
    result.columnTypes[column] = CHARACTER_COLUMN;
    for (const row of result.rows) {
      const cell = row[column];
      if (cell instanceof CatalogChar) row[column] = cell.value;
    }
  });
  return result;
}

/** Wraps queryRaw of an adapter or transaction; everything else passes through unchanged. */
function wrapQueryable<T extends { queryRaw: Adapter['queryRaw'] }>(queryable: T): T {
  return new Proxy(queryable, {
    get(target, property, receiver) {
      if (property === 'queryRaw') {
        return async (query: Parameters<Adapter['queryRaw']>[0]) => unwrapCatalogChars(await target.queryRaw(query));
      }
      if (property === 'startTransaction' && 'startTransaction' in target) {
        const start = target.startTransaction as Adapter['startTransaction'];
        return async (...args: Parameters<Adapter['startTransaction']>) => wrapQueryable(await start.apply(target, args));
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The factory with its adapters wrapped; typed as PrismaPg's own members, so `provider` stays `'postgres'`. */
function wrapFactory(factory: PrismaPg): Pick<PrismaPg, 'provider' | 'adapterName' | 'connect' | 'connectToShadowDb'> {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wrapQueryable(await factory.connect()),
    connectToShadowDb: async () => wrapQueryable(await factory.connectToShadowDb()),
  };
}
