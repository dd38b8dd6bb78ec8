import { describe, expect, it } from 'vitest';

import { aggregateState, COMPOSITES, goType, SCALARS, tsType } from '../../../../daemon/tools/clickhouse-types/mapping.ts';
import { parseChType, printChType } from '../../../../daemon/tools/clickhouse-types/parse.ts';

const DECIMAL = 'github.com/shopspring/decimal';
const ORB = 'github.com/paulmach/orb';
const CLICKHOUSE = 'github.com/ClickHouse/clickhouse-go/v2';
const ALL_MODULES = new Set([DECIMAL, ORB, CLICKHOUSE]);

/** [ClickHouse type, TypeScript row, TypeScript insert, Go type, Go imports]: one vector per type the mapping knows, at least. */
const VECTORS: Array<[string, string, string, string, string[]]> = [
  ['Int8', 'number', 'number', 'int8', []],
  ['Int16', 'number', 'number', 'int16', []],
  ['Int32', 'number', 'number', 'int32', []],
  ['UInt8', 'number', 'number', 'uint8', []],
  ['UInt16', 'number', 'number', 'uint16', []],
  ['UInt32', 'number', 'number', 'uint32', []],
  ['Int64', 'string', 'string | number', 'int64', []],
  ['UInt64', 'string', 'string | number', 'uint64', []],
  ['Int128', 'string', 'string | number', '*big.Int', ['math/big']],
  ['Int256', 'string', 'string | number', '*big.Int', ['math/big']],
  ['UInt128', 'string', 'string | number', '*big.Int', ['math/big']],
  ['UInt256', 'string', 'string | number', '*big.Int', ['math/big']],
  ['Float32', 'number', 'number', 'float32', []],
  ['Float64', 'number', 'number', 'float64', []],
  ['BFloat16', 'number', 'number', 'float32', []],
  ['Decimal(10, 2)', 'number', 'number | string', 'decimal.Decimal', [DECIMAL]],
  ['Decimal32(2)', 'number', 'number | string', 'decimal.Decimal', [DECIMAL]],
  ['Decimal64(4)', 'number', 'number | string', 'decimal.Decimal', [DECIMAL]],
  ['Decimal128(6)', 'number', 'number | string', 'decimal.Decimal', [DECIMAL]],
  ['Decimal256(8)', 'number', 'number | string', 'decimal.Decimal', [DECIMAL]],
  ['Bool', 'boolean', 'boolean', 'bool', []],
  ['String', 'string', 'string', 'string', []],
  ['FixedString(16)', 'string', 'string', 'string', []],
  ['UUID', 'string', 'string', 'string', []],
  ['Date', 'string', 'string', 'time.Time', ['time']],
  ['Date32', 'string', 'string', 'time.Time', ['time']],
  ['DateTime', 'string', 'string', 'time.Time', ['time']],
  ["DateTime('UTC')", 'string', 'string', 'time.Time', ['time']],
  ["DateTime64(3, 'Europe/Berlin')", 'string', 'string', 'time.Time', ['time']],
  ['IPv4', 'string', 'string', 'net.IP', ['net']],
  ['IPv6', 'string', 'string', 'net.IP', ['net']],
  ['Nothing', 'null', 'null', 'any', []],
  ['Point', '[number, number]', '[number, number]', 'orb.Point', [ORB]],
  ['Ring', 'Array<[number, number]>', 'Array<[number, number]>', 'orb.Ring', [ORB]],
  ['Polygon', 'Array<Array<[number, number]>>', 'Array<Array<[number, number]>>', 'orb.Polygon', [ORB]],
  ['MultiPolygon', 'Array<Array<Array<[number, number]>>>', 'Array<Array<Array<[number, number]>>>', 'orb.MultiPolygon', [ORB]],
  ['LineString', 'Array<[number, number]>', 'Array<[number, number]>', 'orb.LineString', [ORB]],
  ['MultiLineString', 'Array<Array<[number, number]>>', 'Array<Array<[number, number]>>', 'orb.MultiLineString', [ORB]],
  ['Nullable(String)', 'string | null', 'string | null', '*string', []],
  ['Nullable(UInt64)', 'string | null', 'string | number | null', '*uint64', []],
  ['Nullable(Int128)', 'string | null', 'string | number | null', '*big.Int', ['math/big']],
  ['LowCardinality(String)', 'string', 'string', 'string', []],
  ['LowCardinality(Nullable(String))', 'string | null', 'string | null', '*string', []],
  ['SimpleAggregateFunction(max, DateTime)', 'string', 'string', 'time.Time', ['time']],
  ['Array(String)', 'string[]', 'string[]', '[]string', []],
  ['Array(Nullable(UInt8))', 'Array<number | null>', 'Array<number | null>', '[]*uint8', []],
  ['Array(Array(Int64))', 'Array<string[]>', 'Array<Array<string | number>>', '[][]int64', []],
  ['Map(String, UInt64)', 'Record<string, string>', 'Record<string, string | number>', 'map[string]uint64', []],
  ['Map(UInt8, Array(String))', 'Record<string, string[]>', 'Record<string, string[]>', 'map[uint8][]string', []],
  ['Tuple(String, UInt8)', '[string, number]', '[string, number]', '[]any', []],
  ['Tuple(a String, b Nullable(Int64))', '{ a: string; b: string | null }', '{ a: string; b: string | number | null }', '[]any', []],
  ['Nested(key String, value UInt32)', 'Array<{ key: string; value: number }>', 'Array<{ key: string; value: number }>', '[]any', []],
  ["Enum8('debug' = 1, 'it\\'s' = 2)", '"debug" | "it\'s"', '"debug" | "it\'s"', 'string', []],
  ["Enum16('a' = -1000, 'b' = 1000)", '"a" | "b"', '"a" | "b"', 'string', []],
  ['JSON', 'Record<string, unknown>', 'Record<string, unknown>', 'chcol.JSON', [`${CLICKHOUSE}/lib/chcol`]],
  ['JSON(max_dynamic_paths = 16, a.b UInt32)', 'Record<string, unknown>', 'Record<string, unknown>', 'chcol.JSON', [`${CLICKHOUSE}/lib/chcol`]],
];

describe('ClickHouse type mapping', () => {
  it.each(VECTORS)('%s → TS %s / insert %s / Go %s', (type, row, insert, go, imports) => {
    expect(tsType(type, 'row')).toEqual({ ok: true, value: row });
    expect(tsType(type, 'insert')).toEqual({ ok: true, value: insert });
    expect(goType(type, ALL_MODULES)).toEqual({ ok: true, value: { text: go, imports } });
  });

  it('has a vector for every type in its tables', () => {
    const covered = new Set(VECTORS.map(([type]) => parseChType(type).name));
    const known = [...Object.keys(SCALARS), ...Object.keys(COMPOSITES)];
    expect(known.filter((name) => !covered.has(name))).toEqual([]);
  });

  it.each([
    'Variant(String, UInt64)',
    'Dynamic',
    "Object('json')",
    'IntervalDay',
    'Array(Dynamic)',
    'Map(String)',
    'Nullable(String, String)',
    'Enum8()',
    'Array((',
  ])('types %s unknown, with a reason, never a wrong type', (type) => {
    const ts = tsType(type);
    const go = goType(type, ALL_MODULES);
    expect(ts.ok).toBe(false);
    expect(go.ok).toBe(false);
    expect(ts.ok ? '' : ts.reason).not.toBe('');
  });

  it.each([
    ['Decimal(10, 2)', DECIMAL],
    ['Point', ORB],
    ['JSON', CLICKHOUSE],
    ['Array(Nullable(Decimal(9, 2)))', DECIMAL],
  ])('Go: %s needs %s in go.mod, else it is unknown and the reason names the module', (type, module) => {
    const go = goType(type, new Set());
    expect(go.ok).toBe(false);
    expect(go.ok ? '' : go.reason).toContain(module);
  });

  it('parses and prints type names as ClickHouse writes them', () => {
    for (const type of [
      "DateTime64(3, 'UTC')",
      "Enum8('a' = 1, 'b' = 2)",
      'Tuple(a String, b Array(UInt8))',
      'AggregateFunction(quantiles(0.5, 0.9), UInt64)',
    ]) {
      expect(printChType(parseChType(type))).toBe(type);
    }
    expect(parseChType('Tuple(`a b` String)').args[0]).toMatchObject({ kind: 'type', field: 'a b', type: { name: 'String' } });
  });

  it.each([
    ['AggregateFunction(min, DateTime)', { function: 'min', merged: 'DateTime' }],
    ['AggregateFunction(count)', { function: 'count', merged: 'UInt64' }],
    ["AggregateFunction(argMax, Enum8('a' = 1), DateTime)", { function: 'argMax', merged: "Enum8('a' = 1)" }],
    ['AggregateFunction(quantiles(0.5, 0.9), UInt64)', { function: 'quantiles', merged: undefined }],
    ['UInt64', undefined],
  ])('aggregation state %s: read through -Merge', (type, expected) => {
    expect(aggregateState(type)).toEqual(expected);
  });
});
