/** One column per mapped ClickHouse type with a SQL literal of it, for the runtime checks of the generated types. */
export interface SampleColumn {
  name: string;
  type: string;
  /** SQL literal inserted; undefined: the column takes its default. */
  value: string | undefined;
  /** DEFAULT / MATERIALIZED / ALIAS clause. */
  extra?: string;
}

const col = (name: string, type: string, value: string | undefined, extra?: string): SampleColumn => ({ name, type, value, ...(extra ? { extra } : {}) });

/** Types ClickHouse 18.16 has (and every later server). */
export const BASE_COLUMNS: SampleColumn[] = [
  col('i8', 'Int8', '-8'),
  col('i16', 'Int16', '-1600'),
  col('i32', 'Int32', '-320000'),
  col('i64', 'Int64', '-9007199254740993'),
  col('u8', 'UInt8', '255'),
  col('u16', 'UInt16', '65535'),
  col('u32', 'UInt32', '4294967295'),
  col('u64', 'UInt64', '18446744073709551615'),
  col('f32', 'Float32', '1.5'),
  col('f64', 'Float64', '2.25'),
  col('dec', 'Decimal(9, 2)', '12.34'),
  col('dec32', 'Decimal32(2)', '-1.5'),
  col('dec64', 'Decimal64(4)', '3.1415'),
  col('dec128', 'Decimal128(6)', '1000000.5'),
  col('s', 'String', "'text'"),
  col('fs', 'FixedString(3)', "'abc'"),
  col('uuid', 'UUID', "'61f0c404-5cb3-11e7-907b-a6006ad3dba0'"),
  col('d', 'Date', "'2025-01-02'"),
  col('dt', 'DateTime', "'2025-01-02 03:04:05'"),
  col('dtz', "DateTime('UTC')", "'2025-01-02 03:04:05'"),
  col('e8', "Enum8('debug' = 1, 'error' = 2)", "'error'"),
  col('e16', "Enum16('low' = -1000, 'high' = 1000)", "'high'"),
  col('ns', 'Nullable(String)', 'NULL'),
  col('nu64', 'Nullable(UInt64)', '5'),
  col('arr', 'Array(String)', "['a', 'b']"),
  col('arrn', 'Array(Nullable(UInt8))', '[1, NULL]'),
  col('arr2', 'Array(Array(Int64))', '[[1, 2], []]'),
  col('tup', 'Tuple(String, UInt8)', "('a', 1)"),
  col('nest', 'Nested(k String, v UInt32)', undefined),
  col('with_default', 'UInt32', undefined, 'DEFAULT 7'),
  col('mat', 'Date', undefined, 'MATERIALIZED toDate(dt)'),
  col('ali', 'UInt64', undefined, 'ALIAS u32 + 1'),
];

/** Types of current servers (DateTime64, Map, LowCardinality, JSON, Bool, …): run on chdb. */
export const MODERN_COLUMNS: SampleColumn[] = [
  col('i128', 'Int128', '-170141183460469231731687303715884105728'),
  col('i256', 'Int256', '1'),
  col('u128', 'UInt128', '340282366920938463463374607431768211455'),
  col('u256', 'UInt256', '2'),
  col('bf16', 'BFloat16', '1.5'),
  col('dec256', 'Decimal256(8)', '2.5'),
  col('b', 'Bool', 'true'),
  col('d32', 'Date32', "'1950-01-02'"),
  col('dt64', "DateTime64(3, 'UTC')", "'2025-01-02 03:04:05.678'"),
  col('ip4', 'IPv4', "'10.1.2.3'"),
  col('ip6', 'IPv6', "'2001:db8::1'"),
  col('lc', 'LowCardinality(String)', "'production'"),
  col('lcn', 'LowCardinality(Nullable(String))', 'NULL'),
  col('m', 'Map(String, UInt64)', "{'a': 1}"),
  col('m2', 'Map(UInt8, Array(String))', "{1: ['x']}"),
  col('nmap', 'Map(String, Nullable(Int32))', "{'n': NULL}"),
  col('tn', 'Tuple(a String, b Nullable(Int64))', "('x', NULL)"),
  col('j', 'JSON', '\'{"a": {"b": 1}, "c": "d"}\''),
  col('sa', 'SimpleAggregateFunction(max, UInt64)', '9'),
  col('pt', 'Point', '(1.5, 2)'),
  col('ring', 'Ring', '[(0, 0), (1, 0), (1, 1)]'),
  col('poly', 'Polygon', '[[(0, 0), (1, 0), (1, 1)]]'),
  col('mpoly', 'MultiPolygon', '[[[(0, 0), (1, 0), (1, 1)]]]'),
  col('ls', 'LineString', '[(0, 0), (1, 1)]'),
  col('mls', 'MultiLineString', '[[(0, 0), (1, 1)]]'),
  col('agg', 'AggregateFunction(count)', undefined),
];

/** `CREATE TABLE` with one column per sample, and the INSERT of its row (named columns: the rest take their defaults). */
export function sampleTable(columns: SampleColumn[]): { create: string; insert: string } {
  const inserted = columns.filter((column) => column.value !== undefined);
  return {
    create: `CREATE TABLE every_type (${columns.map((c) => `${c.name} ${c.type}${c.extra ? ` ${c.extra}` : ''}`).join(', ')}) ENGINE = MergeTree() ORDER BY tuple()`,
    insert: `INSERT INTO every_type (${inserted.map((c) => c.name).join(', ')}) VALUES (${inserted.map((c) => c.value).join(', ')})`,
  };
}
