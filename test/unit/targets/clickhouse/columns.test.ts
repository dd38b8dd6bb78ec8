import { describe, expect, it } from 'vitest';

import { tablesFromRows } from '../../../../daemon/targets/clickhouse/columns.ts';

describe('ClickHouse tables for the types step', () => {
  const tables = [
    { name: 'issues_mv', engine: 'MaterializedView', create_table_query: 'CREATE MATERIALIZED VIEW app.issues_mv TO app.issues (`a` UInt8) AS SELECT 1 AS a' },
    {
      name: 'hourly',
      engine: 'MaterializedView',
      create_table_query: 'CREATE MATERIALIZED VIEW app.hourly (`a` UInt8) ENGINE = MergeTree ORDER BY a AS SELECT 1 AS a',
    },
    { name: '.inner.hourly', engine: 'MergeTree', create_table_query: '' },
    { name: 'goose_db_version', engine: 'MergeTree', create_table_query: '' },
    { name: 'events', engine: 'MergeTree', create_table_query: '' },
    { name: 'recent', engine: 'View', create_table_query: '' },
  ];
  const column = (table: string, name: string, type = 'UInt8', default_kind = '') => ({ table, name, type, default_kind });

  it('keeps tables, views and materialized views with an inner table, in name order, columns in the order given; leaves out the tooling, inner tables and TO views', () => {
    const shapes = tablesFromRows(
      'app',
      tables,
      [
        column('events', 'b', 'String', 'DEFAULT'),
        column('events', 'a'),
        column('issues_mv', 'a'),
        column('.inner.hourly', 'a'),
        column('goose_db_version', 'version_id'),
        column('hourly', 'a'),
        column('recent', 'n'),
      ],
      ['goose_db_version'],
    );
    expect(shapes).toEqual([
      {
        name: 'events',
        engine: 'MergeTree',
        columns: [
          { name: 'b', type: 'String', defaultKind: 'DEFAULT' },
          { name: 'a', type: 'UInt8', defaultKind: '' },
        ],
      },
      { name: 'hourly', engine: 'MaterializedView', columns: [{ name: 'a', type: 'UInt8', defaultKind: '' }] },
      { name: 'recent', engine: 'View', columns: [{ name: 'n', type: 'UInt8', defaultKind: '' }] },
    ]);
  });
});
