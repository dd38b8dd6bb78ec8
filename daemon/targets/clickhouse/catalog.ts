/**
 * ClickHouse schema introspection as Catalog entries, from `system.tables` and `system.columns`.
 * The row → entry mapping is pure (`catalogFromRows`); the queries sit in `readCatalog`.
 *
 * Server differences handled here: `system.tables.as_select` exists only on newer servers
 * (not on 18.16), so the SELECT of a materialized view falls back to the text after ` AS ` in
 * `create_table_query`. The target table of a `TO` view is always read from that text.
 * Names inside expressions are stripped of the `<database>.` prefix, so two databases with the
 * same schema (a shadow database, a test database) give equal catalogs.
 */
import type { Catalog, CatalogEntry } from '../target.ts';
import type { ClickHouseSession } from './connection.ts';
import * as sql from './queries.ts';

export interface TableRow {
  name: string;
  engine: string;
  sorting_key: string;
  partition_key: string;
  primary_key: string;
  create_table_query: string;
  /** Present on servers whose system.tables has the column. */
  as_select?: string;
}

export interface ColumnRow {
  table: string;
  name: string;
  type: string;
  default_kind: string;
  default_expression: string;
}

/** Tables that belong to the tooling, not the user's schema. */
export function isOwnTable(name: string, excluded: readonly string[]): boolean {
  return excluded.includes(name);
}

/**
 * Pure: rows of system.tables and system.columns of one database → sorted catalog entries.
 * `excluded` are table names to leave out (goose's version table, the lock table).
 */
export function catalogFromRows(database: string, tables: TableRow[], columns: ColumnRow[], excluded: readonly string[]): Catalog {
  const local = (text: string) => stripDatabase(text, database);
  const entries: CatalogEntry[] = [];
  const materialized = new Set<string>();
  for (const table of tables) {
    if (isOwnTable(table.name, excluded)) continue;
    if (table.engine === 'MaterializedView') {
      materialized.add(table.name);
      entries.push({
        kind: 'materialized_view',
        name: table.name,
        detail: {
          target: viewTarget(table.create_table_query, database),
          as_select: local(table.as_select || viewSelect(table.create_table_query)),
        },
      });
      continue;
    }
    if (table.engine === 'View') {
      entries.push({ kind: 'view', name: table.name, detail: { as_select: local(table.as_select || viewSelect(table.create_table_query)) } });
      continue;
    }
    entries.push({
      kind: 'table',
      name: table.name,
      detail: {
        engine: table.engine,
        sorting_key: local(table.sorting_key),
        partition_key: local(table.partition_key),
        primary_key: local(table.primary_key),
      },
    });
  }
  for (const column of columns) {
    // A view's columns repeat its SELECT (or its TO table); the view entry already covers them.
    if (isOwnTable(column.table, excluded) || materialized.has(column.table)) continue;
    entries.push({
      kind: 'column',
      name: `${column.table}.${column.name}`,
      detail: {
        type: column.type,
        default_kind: column.default_kind,
        default_expression: local(column.default_expression),
      },
    });
  }
  return entries.sort((a, b) => (a.kind === b.kind ? compare(a.name, b.name) : compare(a.kind, b.kind)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `CREATE MATERIALIZED VIEW db.v TO db.t (…) AS SELECT …` → `t`; null for views with an inner table. */
export function viewTarget(createQuery: string, database: string): string | null {
  const match = /^CREATE MATERIALIZED VIEW\s+\S+\s+TO\s+([^\s(]+)/i.exec(createQuery);
  return match?.[1] ? stripDatabase(match[1].replace(/`/g, ''), database) : null;
}

/** The SELECT of a view from its CREATE text (the part after the first top-level ` AS SELECT`/` AS WITH`). */
export function viewSelect(createQuery: string): string {
  const match = /\sAS\s+((?:SELECT|WITH)\b[\s\S]*)$/i.exec(createQuery);
  return match?.[1]?.trim() ?? '';
}

function stripDatabase(text: string, database: string): string {
  const escaped = database.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(^|[^\\w.])\`?${escaped}\`?\\.`, 'g'), '$1');
}

/** Reads the catalog of the session's database. */
export async function readCatalog(session: ClickHouseSession, excluded: readonly string[]): Promise<Catalog> {
  const tableColumns = await session.rows<{ name: string }>(sql.SYSTEM_TABLES_COLUMNS);
  const hasAsSelect = tableColumns.some((column) => column.name === 'as_select');
  const tables = await session.rows<TableRow>(sql.catalogTables(session.database, hasAsSelect));
  const columns = await session.rows<ColumnRow>(sql.catalogColumns(session.database));
  return catalogFromRows(session.database, tables, columns, excluded);
}
