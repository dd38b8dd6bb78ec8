/**
 * goose's `-- +goose ENVSUB ON` substitution: a port of mfridman/interpolate v0.0.2 (goose-spec
 * §2.7), quirks included: `$$` and `\$` become `$`, `$(` and a final `$` stay literal, quotes
 * protect nothing, and `$1` or `$_x` is an error. Pure: the environment is passed in.
 */
import { goParseInt, goTrimSpace } from './gostrings.ts';

export type EnvLookup = Record<string, string | undefined>;

/** A line interpolate refuses; `message` is interpolate's own wording (goose prints it as is). */
export class EnvsubError extends Error {
  override readonly name = 'EnvsubError';
}

/**
 * Expands `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME?msg}`, `${NAME:off}` and
 * `${NAME:off:len}` in `text`. A variable counts as set when it is a key of `env` with a
 * non-undefined value. Throws EnvsubError with interpolate's message.
 */
export function expandEnv(text: string, env: EnvLookup): string {
  return expand(new Parser(text).parseExpression(''), env);
}

type Item = { text: string } | { expansion: Expansion };
type Expansion =
  | { kind: 'variable'; name: string }
  | { kind: 'emptyValue'; name: string; content: Item[] }
  | { kind: 'unsetValue'; name: string; content: Item[] }
  | { kind: 'substring'; name: string; offset: number; length?: number }
  | { kind: 'required'; name: string; message: Item[] };

const EOF = -1;
// Go's utf8.RuneError: interpolate's scanner stops at it.
const RUNE_ERROR = 0xfffd;
const letter = /^\p{L}$/u;
const number = /^\p{N}$/u;

class Parser {
  private pos = 0;
  constructor(private readonly input: string) {}

  parseExpression(stop: string): Item[] {
    const items: Item[] = [];
    for (;;) {
      const c = this.peekRune();
      if (c === EOF || stop.includes(String.fromCodePoint(c))) break;
      const rest = this.input.slice(this.pos, this.pos + 2);
      // Escapes first: nothing after them is treated as escaped.
      if (rest === '\\\\') {
        this.pos += 2;
        items.push({ text: '\\\\' });
        continue;
      }
      if (rest === '\\$' || rest === '$$') {
        this.pos += 2;
        items.push({ text: '$' });
        continue;
      }
      // Shell command substitution is left alone.
      if (rest === '$(') {
        this.pos += 2;
        items.push({ text: '$(' });
        continue;
      }
      // A `$` that is the last character stays literal. (Go compares byte offsets; `$` is one byte and one unit.)
      if (c === 0x24 && this.pos < this.input.length - 1) {
        items.push({ expansion: this.parseExpansion() });
        continue;
      }
      const first = this.nextRune();
      const text = this.scanUntil((r) => r === 0x24 || r === 0x5c || stop.includes(String.fromCodePoint(r)));
      items.push({ text: String.fromCodePoint(first) + text });
    }
    return items;
  }

  private parseExpansion(): Expansion {
    this.nextRune(); // the `$`
    if (this.peekRune() === 0x7b) return this.parseBraceExpansion();
    return { kind: 'variable', name: this.scanIdentifier() };
  }

  private parseBraceExpansion(): Expansion {
    this.nextRune(); // the `{`
    const name = this.scanIdentifier();
    if (this.peekRune() === 0x7d) {
      this.nextRune();
      return { kind: 'variable', name };
    }
    let expansion: Expansion;
    const op1 = this.nextRune();
    if (op1 === 0x3a /* : */) {
      if (this.peekRune() === 0x2d /* - */) {
        this.nextRune();
        expansion = { kind: 'emptyValue', name, content: this.parseExpression('}') };
      } else {
        expansion = this.parseSubstring(name);
      }
    } else if (op1 === 0x2d /* - */) {
      expansion = { kind: 'unsetValue', name, content: this.parseExpression('}') };
    } else if (op1 === 0x3f /* ? */) {
      expansion = { kind: 'required', name, message: this.parseExpression('}') };
    } else {
      throw new EnvsubError(`Expected an operator, got ${goRune(op1)}`);
    }
    const close = this.nextRune();
    if (close !== 0x7d) throw new EnvsubError(`Expected brace expansion to end with }, got ${goRune(close)}`);
    return expansion;
  }

  private parseSubstring(name: string): Expansion {
    const offsetText = this.scanUntil((r) => r === 0x3a || r === 0x7d);
    const offset = goParseInt(goTrimSpace(offsetText), 'Atoi');
    if ('error' in offset) throw new EnvsubError(`Unable to parse offset: ${offset.error}`);
    if (this.peekRune() === 0x7d) return { kind: 'substring', name, offset: Number(offset.value) };
    this.nextRune(); // the second `:`
    const lengthText = this.scanUntil((r) => r === 0x7d);
    const length = goParseInt(goTrimSpace(lengthText), 'Atoi');
    if ('error' in length) throw new EnvsubError(`Unable to parse length: ${length.error}`);
    return { kind: 'substring', name, offset: Number(offset.value), length: Number(length.value) };
  }

  private scanIdentifier(): string {
    const c = this.peekRune();
    if (c === EOF || !letter.test(String.fromCodePoint(c))) {
      throw new EnvsubError(`Expected identifier to start with a letter, got ${goRune(c)}`);
    }
    return this.scanUntil((r) => {
      const char = String.fromCodePoint(r);
      return !letter.test(char) && !number.test(char) && r !== 0x5f;
    });
  }

  private scanUntil(stopAt: (codePoint: number) => boolean): string {
    const start = this.pos;
    while (this.pos < this.input.length) {
      const c = this.peekRune();
      if (c === RUNE_ERROR || stopAt(c)) break;
      this.pos += c > 0xffff ? 2 : 1;
    }
    return this.input.slice(start, this.pos);
  }

  private nextRune(): number {
    const c = this.peekRune();
    if (c !== EOF) this.pos += c > 0xffff ? 2 : 1;
    return c;
  }

  private peekRune(): number {
    if (this.pos >= this.input.length) return EOF;
    const c = this.input.codePointAt(this.pos)!;
    // A lone surrogate is what Go would see as invalid UTF-8.
    return c >= 0xd800 && c <= 0xdfff ? RUNE_ERROR : c;
  }
}

/** Go's `%c` of a rune; EOF (-1) prints as U+FFFD. */
function goRune(c: number): string {
  return c === EOF ? '\ufffd' : String.fromCodePoint(c);
}

function lookup(env: EnvLookup, name: string): string | undefined {
  return Object.hasOwn(env, name) ? env[name] : undefined;
}

function expand(items: Item[], env: EnvLookup): string {
  let out = '';
  for (const item of items) out += 'text' in item ? item.text : expandOne(item.expansion, env);
  return out;
}

function expandOne(expansion: Expansion, env: EnvLookup): string {
  const value = lookup(env, expansion.name);
  switch (expansion.kind) {
    case 'variable':
      return value ?? '';
    case 'emptyValue':
      return value === undefined || value === '' ? expand(expansion.content, env) : value;
    case 'unsetValue':
      return value === undefined ? expand(expansion.content, env) : value;
    case 'required': {
      if (value !== undefined) return value;
      const message = expand(expansion.message, env);
      throw new EnvsubError(`$${expansion.name}: ${message === '' ? 'not set' : message}`);
    }
    case 'substring':
      return substring(value ?? '', expansion.offset, expansion.length);
  }
}

/** interpolate's substring: Go slices bytes, so offsets count UTF-8 bytes, not characters. */
function substring(value: string, offset: number, length: number | undefined): string {
  const bytes = Buffer.from(value, 'utf8');
  let from = offset < 0 ? offset + bytes.length : offset;
  from = Math.min(Math.max(from, 0), bytes.length);
  if (length === undefined) return bytes.subarray(from).toString('utf8');
  let to = length >= 0 ? length + from : Math.max(length + bytes.length, from);
  to = Math.min(to, bytes.length);
  return bytes.subarray(from, to).toString('utf8');
}
