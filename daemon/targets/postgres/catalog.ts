import type { Catalog, CatalogEntry } from '../target.ts';
import { compareEntries } from '../fingerprint.ts';
import { CATALOG_QUERIES, type CatalogQueryName } from './queries.ts';

/**
 * PostgreSQL schema introspection: pure row → CatalogEntry mappings of the catalog queries in
 * queries.ts. Only definitions are read, never data (sequence positions included), so a
 * fingerprint changes after DDL and not after an INSERT. System schemas, `pg_toast*`/`pg_temp*`, schemasync's own
 * schema `schemasync`, goose's version table (with its id sequence) and objects that belong to an
 * extension are left out. Names are schema-qualified unless the schema is `public`.
 */

/** Runs one read-only query with parameters; the target supplies it (this module never touches pg). */
export type CatalogQueryRunner = (text: string, values: unknown[]) => Promise<Record<string, unknown>[]>;

/** `users` in public, `audit.users` elsewhere. */
export function qualifiedName(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

type Row = Record<string, unknown>;

/** Catalog columns are text, numbers or booleans (the queries cast everything else to text). */
function text(row: Row, key: string): string {
  return nullableText(row, key) ?? '';
}

function nullableText(row: Row, key: string): string | null {
  const value = row[key] as string | number | boolean | null | undefined;
  return value === null || value === undefined ? null : String(value);
}

/** pg_attribute's one-letter flags: '' means "not an identity / not generated". */
function flag(row: Row, key: string): string | null {
  const value = text(row, key);
  return value === '' ? null : value;
}

export function tableEntry(row: Row): CatalogEntry {
  return {
    kind: 'table',
    name: qualifiedName(text(row, 'schema'), text(row, 'name')),
    detail: { partitioned: text(row, 'relkind') === 'p' },
  };
}

export function columnEntry(row: Row): CatalogEntry {
  return {
    kind: 'column',
    name: `${qualifiedName(text(row, 'schema'), text(row, 'table'))}.${text(row, 'name')}`,
    detail: {
      type: text(row, 'type'),
      nullable: row.nullable === true,
      default: nullableText(row, 'default'),
      identity: flag(row, 'identity'),
      generated: flag(row, 'generated'),
      position: Number(row.position),
    },
  };
}

export function indexEntry(row: Row): CatalogEntry {
  return {
    kind: 'index',
    name: qualifiedName(text(row, 'schema'), text(row, 'name')),
    detail: { table: text(row, 'table'), definition: text(row, 'definition') },
  };
}

const CONSTRAINT_TYPES: Record<string, string> = {
  p: 'primary key',
  f: 'foreign key',
  u: 'unique',
  c: 'check',
  x: 'exclusion',
  t: 'trigger',
  n: 'not null',
};

export function constraintEntry(row: Row): CatalogEntry {
  const type = text(row, 'type');
  return {
    kind: 'constraint',
    name: `${qualifiedName(text(row, 'schema'), text(row, 'table'))}.${text(row, 'name')}`,
    detail: { type: CONSTRAINT_TYPES[type] ?? type, definition: text(row, 'definition') },
  };
}

export function enumEntry(row: Row): CatalogEntry {
  const labels = Array.isArray(row.labels) ? row.labels.map(String) : [];
  return {
    kind: 'enum',
    name: qualifiedName(text(row, 'schema'), text(row, 'name')),
    // Order matters to PostgreSQL (comparisons, Prisma enums), so the labels stay in sort order.
    detail: { labels: JSON.stringify(labels) },
  };
}

export function viewEntry(row: Row): CatalogEntry {
  return {
    kind: 'view',
    name: qualifiedName(text(row, 'schema'), text(row, 'name')),
    detail: { materialized: row.materialized === true, definition: text(row, 'definition') },
  };
}

export function functionEntry(row: Row): CatalogEntry {
  return {
    kind: text(row, 'kind') === 'p' ? 'procedure' : 'function',
    // Arguments are part of the name: overloads are distinct objects.
    name: `${qualifiedName(text(row, 'schema'), text(row, 'name'))}(${text(row, 'arguments')})`,
    detail: { definition: text(row, 'definition') },
  };
}

export function triggerEntry(row: Row): CatalogEntry {
  return {
    kind: 'trigger',
    name: `${qualifiedName(text(row, 'schema'), text(row, 'table'))}.${text(row, 'name')}`,
    detail: { definition: text(row, 'definition') },
  };
}

export function sequenceEntry(row: Row): CatalogEntry {
  return {
    kind: 'sequence',
    name: qualifiedName(text(row, 'schema'), text(row, 'name')),
    detail: {
      type: text(row, 'type'),
      start: text(row, 'start'),
      increment: text(row, 'increment'),
      min: text(row, 'min'),
      max: text(row, 'max'),
      cycle: row.cycle === true,
    },
  };
}

const MAPPERS: Record<CatalogQueryName, (row: Row) => CatalogEntry> = {
  tables: tableEntry,
  columns: columnEntry,
  indexes: indexEntry,
  constraints: constraintEntry,
  enums: enumEntry,
  views: viewEntry,
  functions: functionEntry,
  triggers: triggerEntry,
  sequences: sequenceEntry,
};

/** Maps the rows of every catalog query to entries, sorted by kind then name. Pure. */
export function catalogFromRows(rows: Partial<Record<CatalogQueryName, Row[]>>): Catalog {
  const entries: CatalogEntry[] = [];
  for (const name of Object.keys(MAPPERS) as CatalogQueryName[]) {
    for (const row of rows[name] ?? []) entries.push(MAPPERS[name](row));
  }
  return entries.sort(compareEntries);
}

/**
 * Reads the whole catalog through `run` (one query per object kind, sequentially: the caller
 * runs them in one read-only snapshot on one connection).
 */
export async function readCatalog(run: CatalogQueryRunner, versionTable: string): Promise<Catalog> {
  const rows: Partial<Record<CatalogQueryName, Row[]>> = {};
  for (const name of Object.keys(CATALOG_QUERIES) as CatalogQueryName[]) {
    const sql = CATALOG_QUERIES[name];
    rows[name] = await run(sql, sql.includes('$1') ? [versionTable] : []);
  }
  return catalogFromRows(rows);
}
