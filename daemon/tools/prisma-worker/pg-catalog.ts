import { createRequire } from 'node:module';
import path from 'node:path';

import { findPackageDir } from './support.ts';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument --
   The project's @prisma/adapter-pg and pg, loaded at run time: no types to check against. */
type Any = any;

const CHAR_OID = 18;
const NAME_OID = 19;
const TEXT_OID = 25;
/** `ColumnTypeEnum.Character` of @prisma/driver-adapter-utils (6.x and 7.x). */
const CHARACTER_COLUMN = 6;

/** A `"char"` value on its way from pg's Client to the adapter wrapper. */
class CatalogChar {
  constructor(readonly value: string | null) {}
}

/**
 * Prisma 7 has no adapter in prisma.config.ts: the CLI pulls with the native schema engine. The
 * worker pulls in-process instead, through the project's own `@prisma/adapter-pg` on the config's
 * datasource URL. That adapter has no mapping for the catalog type `"char"` (oid 18) the schema
 * engine's introspection queries return (`Column type 'char' could not be deserialized`): the
 * pool's Client reads such columns as text and tags the values, and the adapter's queryRaw turns
 * them into Character columns, the type the native engine produces. `name` (oid 19) is read as
 * text as well, which 7.x does itself and 6.x needs.
 */
export function catalogPgAdapterFactory(projectRoot: string, url: string): Any {
  const adapterDir = findPackageDir('@prisma/adapter-pg', projectRoot);
  if (!adapterDir) throw new Error('@prisma/adapter-pg is not installed in the project');
  const fromAdapter = createRequire(path.join(adapterDir, 'package.json'));
  const { PrismaPg } = fromAdapter('@prisma/adapter-pg');
  const pg = fromAdapter('pg');

  const retype = (result: Any) => {
    for (const each of Array.isArray(result) ? result : result ? [result] : []) {
      (each.fields ?? []).forEach((field: Any, index: number) => {
        if (field.dataTypeID === NAME_OID) field.dataTypeID = TEXT_OID;
        if (field.dataTypeID !== CHAR_OID) return;
        field.dataTypeID = TEXT_OID;
        for (const row of each.rows) if (Array.isArray(row)) row[index] = new CatalogChar(row[index]);
      });
    }
  };
  class CatalogTypesClient extends pg.Client {
    query(...args: Any[]): Any {
      const last = args.at(-1);
      if (typeof last === 'function') {
        args[args.length - 1] = (error: Any, result: Any) => {
          if (!error) retype(result);
          last(error, result);
        };
        return super.query(...args);
      }
      const returned = super.query(...args);
      return returned instanceof Promise ? returned.then((result: Any) => (retype(result), result)) : returned;
    }
  }
  const unwrap = (result: Any) => {
    result.columnTypes.forEach((_: Any, column: number) => {
      if (!result.rows.some((row: Any) => row[column] instanceof CatalogChar)) return;
      result.columnTypes[column] = CHARACTER_COLUMN;
      for (const row of result.rows) if (row[column] instanceof CatalogChar) row[column] = row[column].value;
    });
    return result;
  };
  const wrap = (queryable: Any): Any =>
    new Proxy(queryable, {
      get(target, property) {
        if (property === 'queryRaw') return async (query: Any) => unwrap(await target.queryRaw(query));
        if (property === 'startTransaction') return async (...a: Any[]) => wrap(await target.startTransaction(...a));
        const value = target[property];
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  const pool = new pg.Pool({ connectionString: url, Client: CatalogTypesClient });
  const factory = new PrismaPg(pool, { disposeExternalPool: true });
  // As @prisma/config binds a config's adapter: the wasm engine expects Result-wrapped answers.
  const { bindMigrationAwareSqlAdapterFactory } = fromAdapter('@prisma/driver-adapter-utils');
  return bindMigrationAwareSqlAdapterFactory({
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wrap(await factory.connect()),
    connectToShadowDb: async () => wrap(await factory.connectToShadowDb()),
  });
}
