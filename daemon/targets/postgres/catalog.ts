import type { Catalog, CatalogEntry } from '../target.ts';
import { compareEntries } from '../fingerprint.ts';

/**
 * PostgreSQL schema introspection: the catalog queries and pure row → CatalogEntry mappings.
 * Only definitions are read, never data (sequence positions included), so a fingerprint changes
 * after DDL and not after an INSERT. System schemas, `pg_toast*`/`pg_temp*`, schemasync's own
 * schema `schemasync`, goose's version table (with its id sequence) and objects that belong to an
 * extension are left out. Names are schema-qualified unless the schema is `public`.
 */

/** Runs one read-only query with parameters; the target supplies it (this module never touches pg). */
export type CatalogQueryRunner = (text: string, values: unknown[]) => Promise<Record<string, unknown>[]>;

/** Schemas that are never the user's schema. Interpolated as a constant, never user input. */
const SCHEMA_FILTER = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'schemasync')
   AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

function notExtensionMember(catalog: 'pg_class' | 'pg_type' | 'pg_proc', oid: string): string {
  return `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;
}

/**
 * Queries that mention `$1` take goose's version table name, resolved with to_regclass through the
 * search_path as goose resolves it; the others take no parameter.
 */
export const CATALOG_QUERIES = {
  tables: `SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND ${SCHEMA_FILTER}
   AND c.oid IS DISTINCT FROM to_regclass($1) AND ${notExtensionMember('pg_class', 'c.oid')}`,

  columns: `SELECT n.nspname AS schema, c.relname AS table, a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
       pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity::text AS identity,
       a.attgenerated::text AS generated,
       row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum) AS position
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped AND ${SCHEMA_FILTER}
   AND c.oid IS DISTINCT FROM to_regclass($1) AND ${notExtensionMember('pg_class', 'c.oid')}`,

  indexes: `SELECT n.nspname AS schema, i.relname AS name, t.relname AS table, pg_get_indexdef(i.oid) AS definition
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = i.relnamespace
 WHERE ${SCHEMA_FILTER} AND t.oid IS DISTINCT FROM to_regclass($1) AND ${notExtensionMember('pg_class', 't.oid')}`,

  constraints: `SELECT n.nspname AS schema, t.relname AS table, k.conname AS name, k.contype::text AS type,
       pg_get_constraintdef(k.oid) AS definition
  FROM pg_constraint k
  JOIN pg_class t ON t.oid = k.conrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE ${SCHEMA_FILTER} AND t.oid IS DISTINCT FROM to_regclass($1) AND ${notExtensionMember('pg_class', 't.oid')}`,

  enums: `SELECT n.nspname AS schema, t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
  FROM pg_type t
  JOIN pg_enum e ON e.enumtypid = t.oid
  JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE ${SCHEMA_FILTER} AND ${notExtensionMember('pg_type', 't.oid')}
 GROUP BY n.nspname, t.typname`,

  views: `SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized, pg_get_viewdef(c.oid) AS definition
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('v', 'm') AND ${SCHEMA_FILTER}
   AND ${notExtensionMember('pg_class', 'c.oid')}`,

  functions: `SELECT n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS arguments,
       p.prokind::text AS kind, pg_get_functiondef(p.oid) AS definition
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE p.prokind IN ('f', 'p') AND ${SCHEMA_FILTER}
   AND ${notExtensionMember('pg_proc', 'p.oid')}`,

  triggers: `SELECT n.nspname AS schema, c.relname AS table, g.tgname AS name, pg_get_triggerdef(g.oid) AS definition
  FROM pg_trigger g
  JOIN pg_class c ON c.oid = g.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT g.tgisinternal AND ${SCHEMA_FILTER} AND c.oid IS DISTINCT FROM to_regclass($1)`,

  // Definition only (start, increment, bounds), never last_value: an INSERT must not change the catalog.
  sequences: `SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS type,
       s.seqstart::text AS start, s.seqincrement::text AS increment, s.seqmin::text AS min,
       s.seqmax::text AS max, s.seqcycle AS cycle
  FROM pg_sequence s
  JOIN pg_class c ON c.oid = s.seqrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE ${SCHEMA_FILTER} AND ${notExtensionMember('pg_class', 'c.oid')}
   AND NOT EXISTS (SELECT 1 FROM pg_depend o
                    WHERE o.classid = 'pg_class'::regclass AND o.objid = c.oid AND o.refobjid = to_regclass($1))`,
} as const;

export type CatalogQueryName = keyof typeof CATALOG_QUERIES;

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
