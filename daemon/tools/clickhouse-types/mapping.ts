/**
 * The one mapping from ClickHouse column types to TypeScript and Go types. Pure and table-driven:
 * `SCALARS` holds every type without type arguments, `COMPOSITES` every type built from others.
 *
 * TypeScript: the values `@clickhouse/client` returns in the JSON formats (JSONEachRow) with the
 * server's default settings: 64-bit and wider integers are quoted (output_format_json_quote_64bit_integers),
 * dates and times are the strings the server prints, an Enum is one of its names.
 * Insert: what the client's JSONEachRow insert accepts (a 64-bit integer as a number or a string).
 *
 * Go: the types clickhouse-go v2 scans into and appends from (its lib/column/*.go: each column's
 * ScanRow and Append). Standard-library types wherever clickhouse-go takes one (UUID as string,
 * IPv4/IPv6 as net.IP); types from another module only when the project's go.mod requires it,
 * else the column is typed `any` with a warning.
 */
import { parseChType, printChType, type ChArg, type ChType } from './parse.ts';

export type TsMode = 'row' | 'insert';

export interface GoMapped {
  text: string;
  /** Packages the type needs (`time`, `math/big`, `github.com/shopspring/decimal`). */
  imports: string[];
}

/** Go modules the project requires (go.mod), which allow non-standard types. */
export type GoModules = ReadonlySet<string>;

interface Scalar {
  ts: string;
  /** What an insert accepts, when wider than what a select returns. */
  insert?: string;
  go: string;
  goImport?: string;
  /** The module `goImport` belongs to, when it is not the standard library. */
  goModule?: string;
}

const INT64_INSERT = 'string | number';
const MODULE = { decimal: 'github.com/shopspring/decimal', orb: 'github.com/paulmach/orb', clickhouse: 'github.com/ClickHouse/clickhouse-go/v2' };

const int = (bits: 8 | 16 | 32, unsigned: boolean): Scalar => ({ ts: 'number', go: `${unsigned ? 'uint' : 'int'}${bits}` });
const wide = (go: string): Scalar => ({ ts: 'string', insert: INT64_INSERT, go });
const bigInt: Scalar = { ts: 'string', insert: INT64_INSERT, go: '*big.Int', goImport: 'math/big' };
const decimal: Scalar = { ts: 'number', insert: 'number | string', go: 'decimal.Decimal', goImport: MODULE.decimal, goModule: MODULE.decimal };
const text: Scalar = { ts: 'string', go: 'string' };
const time: Scalar = { ts: 'string', go: 'time.Time', goImport: 'time' };
const ip: Scalar = { ts: 'string', go: 'net.IP', goImport: 'net' };
const geo = (ts: string, go: string): Scalar => ({ ts, go: `orb.${go}`, goImport: MODULE.orb, goModule: MODULE.orb });

/** Types without type arguments (or whose arguments do not change the value's shape). */
export const SCALARS: Readonly<Record<string, Scalar>> = {
  Int8: int(8, false),
  Int16: int(16, false),
  Int32: int(32, false),
  UInt8: int(8, true),
  UInt16: int(16, true),
  UInt32: int(32, true),
  Int64: wide('int64'),
  UInt64: wide('uint64'),
  Int128: bigInt,
  Int256: bigInt,
  UInt128: bigInt,
  UInt256: bigInt,
  Float32: { ts: 'number', go: 'float32' },
  Float64: { ts: 'number', go: 'float64' },
  BFloat16: { ts: 'number', go: 'float32' },
  Decimal: decimal,
  Decimal32: decimal,
  Decimal64: decimal,
  Decimal128: decimal,
  Decimal256: decimal,
  Bool: { ts: 'boolean', go: 'bool' },
  String: text,
  FixedString: text,
  // clickhouse-go scans a UUID into a string as well as into uuid.UUID.
  UUID: text,
  Date: time,
  Date32: time,
  DateTime: time,
  DateTime64: time,
  IPv4: ip,
  IPv6: ip,
  Nothing: { ts: 'null', go: 'any' },
  Point: geo('[number, number]', 'Point'),
  Ring: geo('Array<[number, number]>', 'Ring'),
  Polygon: geo('Array<Array<[number, number]>>', 'Polygon'),
  MultiPolygon: geo('Array<Array<Array<[number, number]>>>', 'MultiPolygon'),
  LineString: geo('Array<[number, number]>', 'LineString'),
  MultiLineString: geo('Array<Array<[number, number]>>', 'MultiLineString'),
};

/** A type the mapping does not know: the caller types the column unknown / any and warns once. */
export class UnknownType extends Error {}

interface Composite {
  ts(type: ChType, mode: TsMode): string;
  go(type: ChType, modules: GoModules, imports: Set<string>): string;
}

const typeArgs = (type: ChType): Array<{ type: ChType; field?: string }> =>
  type.args.map((arg) => {
    if (arg.kind !== 'type') throw new UnknownType(`${printChType(type)}: unexpected argument`);
    return arg;
  });
const only = (type: ChType): ChType => {
  const args = typeArgs(type);
  if (args.length !== 1) throw new UnknownType(`${printChType(type)}: expected one type argument`);
  return args[0]!.type;
};
/** `T[]` for a plain name, `Array<T>` where `T[]` would bind wrongly (unions, function types). */
const tsArray = (element: string): string => (/^[A-Za-z]+$/.test(element) ? `${element}[]` : `Array<${element}>`);
const tsObject = (fields: Array<{ name: string; ts: string }>): string => `{ ${fields.map((f) => `${tsKey(f.name)}: ${f.ts}`).join('; ')} }`;
const enumNames = (type: ChType): string => {
  const names = type.args.filter((arg): arg is Extract<ChArg, { kind: 'string' }> => arg.kind === 'string').map((arg) => JSON.stringify(arg.value));
  if (names.length === 0) throw new UnknownType(`${printChType(type)}: an Enum without values`);
  return names.join(' | ');
};

/** clickhouse-go scans an Enum into its name. */
const enumGo = (type: ChType): string => {
  enumNames(type);
  return 'string';
};

/** Types built from other types. */
export const COMPOSITES: Readonly<Record<string, Composite>> = {
  Nullable: {
    ts: (type, mode) => `${tsOf(only(type), mode)} | null`,
    // Nullable(Int128) is *big.Int already: nil is its NULL.
    go: (type, modules, imports) => {
      const inner = goOf(only(type), modules, imports);
      return inner.startsWith('*') || inner === 'any' ? inner : `*${inner}`;
    },
  },
  LowCardinality: { ts: (type, mode) => tsOf(only(type), mode), go: (type, modules, imports) => goOf(only(type), modules, imports) },
  // A SimpleAggregateFunction(f, T) column holds plain T values.
  SimpleAggregateFunction: {
    ts: (type, mode) => tsOf(lastType(type), mode),
    go: (type, modules, imports) => goOf(lastType(type), modules, imports),
  },
  Array: { ts: (type, mode) => tsArray(tsOf(only(type), mode)), go: (type, modules, imports) => `[]${goOf(only(type), modules, imports)}` },
  Map: {
    // JSON objects have string keys: a Map(UInt64, …) prints its keys quoted.
    ts: (type, mode) => `Record<string, ${tsOf(pair(type)[1], mode)}>`,
    go: (type, modules, imports) => `map[${goOf(pair(type)[0], modules, imports)}]${goOf(pair(type)[1], modules, imports)}`,
  },
  Tuple: {
    // A named tuple prints as an object (output_format_json_named_tuples_as_objects, on by default); an unnamed one as an array.
    ts: (type, mode) => {
      const args = typeArgs(type);
      if (args.every((arg) => arg.field !== undefined)) return tsObject(args.map((arg) => ({ name: arg.field!, ts: tsOf(arg.type, mode) })));
      return `[${args.map((arg) => tsOf(arg.type, mode)).join(', ')}]`;
    },
    go: () => '[]any',
  },
  // Nested with flatten_nested = 0 (with the default 1, system.columns lists its dotted Array columns instead).
  Nested: {
    ts: (type, mode) => tsArray(tsObject(typeArgs(type).map((arg) => ({ name: arg.field ?? '', ts: tsOf(arg.type, mode) })))),
    go: () => '[]any',
  },
  Enum8: { ts: enumNames, go: enumGo },
  Enum16: { ts: enumNames, go: enumGo },
  JSON: {
    ts: () => 'Record<string, unknown>',
    go: (_type, modules, imports) => {
      if (!modules.has(MODULE.clickhouse)) throw new UnknownType(`JSON is read into chcol.JSON, from ${MODULE.clickhouse}, which go.mod does not require`);
      imports.add(`${MODULE.clickhouse}/lib/chcol`);
      return 'chcol.JSON';
    },
  },
};

const lastType = (type: ChType): ChType => {
  const last = type.args.at(-1);
  if (last?.kind !== 'type') throw new UnknownType(`${printChType(type)}: expected a type last`);
  return last.type;
};
const pair = (type: ChType): [ChType, ChType] => {
  const args = typeArgs(type);
  if (args.length !== 2) throw new UnknownType(`${printChType(type)}: expected a key and a value type`);
  return [args[0]!.type, args[1]!.type];
};

/** A property name as written in a TypeScript object type: quoted when not an identifier. */
export function tsKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

function tsOf(type: ChType, mode: TsMode): string {
  const composite = COMPOSITES[type.name];
  if (composite) return composite.ts(type, mode);
  const scalar = SCALARS[type.name];
  if (!scalar) throw new UnknownType(`${printChType(type)} is not a type schemasync knows`);
  return mode === 'insert' && scalar.insert ? scalar.insert : scalar.ts;
}

function goOf(type: ChType, modules: GoModules, imports: Set<string>): string {
  const composite = COMPOSITES[type.name];
  if (composite) return composite.go(type, modules, imports);
  const scalar = SCALARS[type.name];
  if (!scalar) throw new UnknownType(`${printChType(type)} is not a type schemasync knows`);
  if (scalar.goModule && !modules.has(scalar.goModule)) {
    throw new UnknownType(`${type.name} is read into ${scalar.go}, from ${scalar.goModule}, which go.mod does not require`);
  }
  if (scalar.goImport) imports.add(scalar.goImport);
  return scalar.go;
}

/** The result of mapping one column type: the type, or why it is unknown. */
export type Mapped<T> = { ok: true; value: T } | { ok: false; reason: string };

function attempt<T>(text: string, map: (type: ChType) => T): Mapped<T> {
  try {
    return { ok: true, value: map(parseChType(text)) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** The TypeScript type of a column of type `text` (as system.columns prints it). */
export function tsType(text: string, mode: TsMode = 'row'): Mapped<string> {
  return attempt(text, (type) => tsOf(type, mode));
}

/** The Go type clickhouse-go scans a column of type `text` into, with the imports it needs. */
export function goType(text: string, modules: GoModules = new Set()): Mapped<GoMapped> {
  return attempt(text, (type) => {
    const imports = new Set<string>();
    const go = goOf(type, modules, imports);
    return { text: go, imports: [...imports].sort() };
  });
}

/**
 * An AggregateFunction column holds an aggregation state, not a value: it is read through the
 * function's -Merge combinator (`minMerge(first_seen)`) and written through -State in a
 * materialized view. Returns how to read it and, where known, the ClickHouse type that gives.
 */
export function aggregateState(text: string): { function: string; merged: string | undefined } | undefined {
  if (!text.startsWith('AggregateFunction(')) return undefined;
  let type: ChType;
  try {
    type = parseChType(text);
  } catch {
    return undefined;
  }
  const [fn, ...rest] = type.args;
  if (fn?.kind !== 'type') return undefined;
  const name = fn.type.name;
  const args = rest.flatMap((arg) => (arg.kind === 'type' ? [printChType(arg.type)] : []));
  return { function: name, merged: MERGED[name]?.(args) };
}

/** What `<f>Merge` returns for the aggregate functions whose result type follows from their arguments. */
const MERGED: Record<string, (args: string[]) => string | undefined> = {
  count: () => 'UInt64',
  uniq: () => 'UInt64',
  uniqExact: () => 'UInt64',
  uniqCombined: () => 'UInt64',
  min: (args) => args[0],
  max: (args) => args[0],
  any: (args) => args[0],
  anyLast: (args) => args[0],
  argMin: (args) => args[0],
  argMax: (args) => args[0],
  groupArray: (args) => (args[0] ? `Array(${args[0]})` : undefined),
  groupUniqArray: (args) => (args[0] ? `Array(${args[0]})` : undefined),
  avg: () => 'Float64',
};
