/**
 * ClickHouse type names as `system.columns.type` prints them, parsed into a tree. Pure.
 *
 * `Nullable(String)`, `DateTime64(3, 'UTC')`, `Enum8('a' = 1, 'b' = 2)`, `Tuple(a String, b UInt8)`,
 * `Map(String, Array(UInt64))`, `AggregateFunction(quantiles(0.5, 0.9), UInt64)`,
 * `JSON(max_dynamic_paths = 10)`: each argument is a type (optionally named, as in a named Tuple
 * or Nested), a string literal (with its value in an Enum), a number, or raw text kept as is.
 */
export interface ChType {
  name: string;
  args: ChArg[];
}

export type ChArg =
  | { kind: 'type'; type: ChType; field?: string }
  | { kind: 'string'; value: string; number?: number }
  | { kind: 'number'; text: string }
  | { kind: 'raw'; text: string };

/** Parses one type name; throws on text it cannot read (the caller types that column unknown). */
export function parseChType(text: string): ChType {
  const parser = new Parser(text);
  const type = parser.type();
  parser.space();
  if (!parser.done()) throw new Error(`unexpected "${text.slice(parser.at)}" in ClickHouse type ${text}`);
  return type;
}

/** The type as ClickHouse writes it (used in comments and warnings). */
export function printChType(type: ChType): string {
  if (type.args.length === 0) return type.name;
  const arg = (a: ChArg): string => {
    switch (a.kind) {
      case 'type':
        return a.field === undefined ? printChType(a.type) : `${a.field} ${printChType(a.type)}`;
      case 'string':
        return a.number === undefined ? quote(a.value) : `${quote(a.value)} = ${a.number}`;
      default:
        return a.text;
    }
  };
  return `${type.name}(${type.args.map(arg).join(', ')})`;
}

const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

// Dots: a JSON type's typed paths (`JSON(a.b UInt32)`).
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_.]*/y;
const NUMBER = /-?[0-9][0-9.eE+-]*/y;

class Parser {
  at = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at >= this.text.length;
  }

  space(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at]!)) this.at++;
  }

  private match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.at;
    const found = pattern.exec(this.text);
    if (!found) return undefined;
    this.at += found[0].length;
    return found[0];
  }

  private expect(char: string): void {
    this.space();
    if (this.text[this.at] !== char) throw new Error(`expected "${char}" at ${this.at} in ClickHouse type ${this.text}`);
    this.at++;
  }

  private name(): string {
    this.space();
    if (this.text[this.at] === '`') {
      const end = this.text.indexOf('`', this.at + 1);
      if (end < 0) throw new Error(`unclosed \` in ClickHouse type ${this.text}`);
      const name = this.text.slice(this.at + 1, end);
      this.at = end + 1;
      return name;
    }
    const name = this.match(IDENTIFIER);
    if (name === undefined) throw new Error(`expected a name at ${this.at} in ClickHouse type ${this.text}`);
    return name;
  }

  type(): ChType {
    const name = this.name();
    this.space();
    if (this.text[this.at] !== '(') return { name, args: [] };
    this.at++;
    const args: ChArg[] = [];
    this.space();
    if (this.text[this.at] === ')') {
      this.at++;
      return { name, args };
    }
    for (;;) {
      args.push(this.arg());
      this.space();
      const next = this.text[this.at];
      this.at++;
      if (next === ')') return { name, args };
      if (next !== ',') throw new Error(`expected "," or ")" at ${this.at - 1} in ClickHouse type ${this.text}`);
    }
  }

  private arg(): ChArg {
    this.space();
    const char = this.text[this.at];
    if (char === "'") {
      const value = this.string();
      this.space();
      if (this.text[this.at] !== '=') return { kind: 'string', value };
      this.at++;
      this.space();
      const number = this.match(NUMBER);
      if (number === undefined) throw new Error(`expected a number after = in ClickHouse type ${this.text}`);
      return { kind: 'string', value, number: Number(number) };
    }
    if (char !== undefined && /[-0-9]/.test(char)) return { kind: 'number', text: this.match(NUMBER)! };
    const start = this.at;
    const name = this.name();
    const afterName = this.at;
    this.space();
    const next = this.text[this.at];
    if (next === '=') return { kind: 'raw', text: this.raw(start) };
    // `a String` inside Tuple or Nested: a field name, then its type.
    if (next !== undefined && (next === '`' || /[A-Za-z_]/.test(next)) && this.at > afterName) {
      return { kind: 'type', field: name, type: this.type() };
    }
    this.at = start;
    return { kind: 'type', type: this.type() };
  }

  /** Text up to the next top-level `,` or `)`. */
  private raw(start: number): string {
    let depth = 0;
    while (this.at < this.text.length) {
      const char = this.text[this.at]!;
      if (char === "'") {
        this.string();
        continue;
      }
      if (char === '(') depth++;
      if ((char === ',' || char === ')') && depth === 0) break;
      if (char === ')') depth--;
      this.at++;
    }
    return this.text.slice(start, this.at).trim();
  }

  private string(): string {
    let value = '';
    this.at++;
    while (this.at < this.text.length) {
      const char = this.text[this.at]!;
      if (char === '\\') {
        value += this.text[this.at + 1] ?? '';
        this.at += 2;
        continue;
      }
      this.at++;
      if (char === "'") return value;
      value += char;
    }
    throw new Error(`unclosed string in ClickHouse type ${this.text}`);
  }
}
