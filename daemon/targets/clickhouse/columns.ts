/**
 * The tables and views of a ClickHouse database with their columns in declared order, for the
 * types step (row types). The row → table mapping is pure (`tablesFromRows`); the queries sit in
 * `readTables`.
 */
import type { TableShape } from '../target.ts';
import { isOwnTable, viewTarget } from './catalog.ts';
import type { ClickHouseSession } from './connection.ts';
import * as sql from './queries.ts';

interface TableRow {
  name: string;
  engine: string;
  create_table_query: string;
}

interface ColumnRow {
  table: string;
  name: string;
  type: string;
  default_kind: string;
}

/**
 * Tables and views, sorted by name, without the tooling's own tables, a materialized view's
 * inner table (`.inner.…`), or a `TO` materialized view (its rows are its target table's).
 */
export function tablesFromRows(database: string, tables: TableRow[], columns: ColumnRow[], excluded: readonly string[]): TableShape[] {
  const shapes = new Map<string, TableShape>();
  for (const table of tables) {
    if (isOwnTable(table.name, excluded) || table.name.startsWith('.inner')) continue;
    if (table.engine === 'MaterializedView' && viewTarget(table.create_table_query, database) !== null) continue;
    shapes.set(table.name, { name: table.name, engine: table.engine, columns: [] });
  }
  for (const column of columns) {
    shapes.get(column.table)?.columns.push({ name: column.name, type: column.type, defaultKind: column.default_kind });
  }
  return [...shapes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Whether the server's system.columns has `position`: asked once per server (a target keeps the answer). */
export async function hasColumnPosition(session: ClickHouseSession, signal?: AbortSignal): Promise<boolean> {
  const columns = await session.rows<{ name: string }>(sql.SYSTEM_COLUMNS_COLUMNS, signal);
  return columns.some((column) => column.name === 'position');
}

export async function readTables(session: ClickHouseSession, excluded: readonly string[], hasPosition: boolean, signal?: AbortSignal): Promise<TableShape[]> {
  const [tables, columns] = await Promise.all([
    session.rows<TableRow>(sql.columnTables(session.database), signal),
    session.rows<ColumnRow>(sql.orderedColumns(session.database, hasPosition), signal),
  ]);
  return tablesFromRows(session.database, tables, columns, excluded);
}
