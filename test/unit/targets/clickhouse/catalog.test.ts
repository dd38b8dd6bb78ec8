import { describe, expect, it } from 'vitest';

import { catalogFromRows, viewSelect, viewTarget, type TableRow } from '../../../../daemon/targets/clickhouse/catalog.ts';

const table = (row: Partial<TableRow> & { name: string; engine: string }): TableRow => ({
  sorting_key: '',
  partition_key: '',
  primary_key: '',
  create_table_query: '',
  ...row,
});

describe('catalogFromRows', () => {
  const tables = [
    table({ name: 'events', engine: 'MergeTree', sorting_key: 'id', primary_key: 'id', partition_key: 'toYYYYMM(ts)' }),
    table({
      name: 'events_mv',
      engine: 'MaterializedView',
      create_table_query: 'CREATE MATERIALIZED VIEW db1.events_mv TO db1.totals (n UInt64) AS SELECT count() AS n FROM db1.events',
    }),
    table({ name: 'goose_db_version', engine: 'MergeTree', sorting_key: 'date' }),
    table({ name: 'schemasync_lock', engine: 'ReplacingMergeTree', sorting_key: 'owner' }),
  ];
  const columns = [
    { table: 'events', name: 'id', type: 'UInt64', default_kind: '', default_expression: '' },
    { table: 'events', name: 'ts', type: 'DateTime', default_kind: 'DEFAULT', default_expression: 'now()' },
    { table: 'events_mv', name: 'n', type: 'UInt64', default_kind: '', default_expression: '' },
    { table: 'goose_db_version', name: 'version_id', type: 'Int64', default_kind: '', default_expression: '' },
  ];

  it('maps tables, columns and views, sorted, leaving out bookkeeping tables and view columns', () => {
    expect(catalogFromRows('db1', tables, columns, ['goose_db_version', 'schemasync_lock'])).toEqual([
      { kind: 'column', name: 'events.id', detail: { type: 'UInt64', default_kind: '', default_expression: '' } },
      { kind: 'column', name: 'events.ts', detail: { type: 'DateTime', default_kind: 'DEFAULT', default_expression: 'now()' } },
      { kind: 'materialized_view', name: 'events_mv', detail: { target: 'totals', as_select: 'SELECT count() AS n FROM events' } },
      { kind: 'table', name: 'events', detail: { engine: 'MergeTree', sorting_key: 'id', partition_key: 'toYYYYMM(ts)', primary_key: 'id' } },
    ]);
  });

  it('prefers as_select where the server has it, and gives equal catalogs for equal schemas in two databases', () => {
    const inOther = tables.map((row) => ({ ...row, create_table_query: row.create_table_query.replaceAll('db1.', 'db2.') }));
    expect(catalogFromRows('db2', inOther, columns, [])).toEqual(catalogFromRows('db1', tables, columns, []));
    const withAsSelect = [table({ name: 'v', engine: 'MaterializedView', create_table_query: 'ignored', as_select: 'SELECT 1 FROM db1.t' })];
    expect(catalogFromRows('db1', withAsSelect, [], [])).toEqual([
      { kind: 'materialized_view', name: 'v', detail: { target: null, as_select: 'SELECT 1 FROM t' } },
    ]);
  });
});

describe('view text helpers', () => {
  it('reads the TO table and the SELECT from CREATE text', () => {
    expect(viewTarget('CREATE MATERIALIZED VIEW d.v TO d.t (a UInt8) AS SELECT 1 AS a', 'd')).toBe('t');
    expect(viewTarget('CREATE MATERIALIZED VIEW d.v ENGINE = Memory AS SELECT 1', 'd')).toBeNull();
    expect(viewSelect('CREATE VIEW d.v AS SELECT a AS b FROM d.t')).toBe('SELECT a AS b FROM d.t');
  });
});
