/**
 * `getDMMF` hands the generator a fresh parse of the wasm's JSON on every generate: ~21 MB at 80
 * models, ~130 ms of JSON.parse and as much again in garbage collection, though a new table
 * changes a few hundred of its ~6,500 items. Here the DMMF's items (each element of its top-level
 * lists: a model, an input or output type, an enum …) whose text equals the last run's are the
 * last run's parsed objects; only the rest are parsed. The result equals JSON.parse's value, and
 * the generator memo's comparisons (same-json.ts) answer an unchanged item at its first `===`.
 * Sharing objects between runs is sound only because nothing downstream writes to the DMMF (the
 * identity tests run the generator on a deep-frozen DMMF to keep that true).
 */

import { createDmmfSplicer } from './dmmf-splicer.ts';

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
/** Items are list elements this deep at most: `schema.inputObjectTypes.prisma[i]` is at 5. */
const MAX_ITEM_DEPTH = 5;
/** Stands for item N in the skeleton (no DMMF text outside the items holds a NUL). */
const PLACEHOLDER = '\u0000';

/** JSON.parse as it was when this module loaded (schema-wasm.ts routes one call of it here). */
const nativeParse = JSON.parse;

export interface DmmfReader {
  /** JSON.parse(text) for the DMMF get_dmmf answered to `params`, reusing the objects of unchanged items from the last call. */
  parse(text: string, params?: string): unknown;
  /** The DMMF get_dmmf would answer to `params`, from the last one and `getDmmf` of the changed models (dmmf-splicer.ts); or undefined. */
  splice(params: string, getDmmf: (params: string) => string): unknown;
  /** Off: routed DMMFs are parsed by JSON.parse, and nothing is kept. */
  enabled: boolean;
  /** Items the last parse reused and parsed; models the last splice rendered (-1: none). */
  readonly counts: { 'dmmf.reused': number; 'dmmf.parsed': number; 'dmmf.spliced': number };
}

/** An item of the last parse: where its text is in that text, and its value. */
interface Item {
  start: number;
  end: number;
  value: unknown;
}

/** `freeze`: every object handed out is frozen (tests: a write to the DMMF downstream then throws). */
export function createDmmfReader({ freeze = false } = {}): DmmfReader {
  // The last text, and its items by their first property (`{"name":"UserWhereInput"`): an item
  // is found again by comparing its old text where the new one has an item of that key.
  let previousText = '';
  let previous = new Map<string, Item[]>();
  const counts = { 'dmmf.reused': 0, 'dmmf.parsed': 0, 'dmmf.spliced': -1 };
  // The test suite checks every splice against the whole DMMF, parsed with reuse (little memory).
  const splicer = createDmmfSplicer({ checkWith: process.env.SCHEMASYNC_CHECK_SPLICE === '1' ? (text) => reuse(text) : undefined });
  const parseItem = (text: string): unknown => (freeze ? deepFreeze(nativeParse(text) as unknown) : (nativeParse(text) as unknown));

  function parse(text: string, params?: string): unknown {
    counts['dmmf.spliced'] = -1;
    if (!reader.enabled) {
      previousText = '';
      previous = new Map();
      splicer.forget();
      return nativeParse(text);
    }
    const whole = reuse(text);
    if (params === undefined) splicer.forget();
    else splicer.remember(params, whole);
    return whole;
  }

  function splice(params: string, getDmmf: (params: string) => string): unknown {
    if (!reader.enabled) return undefined;
    const spliced = splicer.splice(params, getDmmf);
    if (spliced === undefined) return undefined;
    Object.assign(counts, { 'dmmf.reused': 0, 'dmmf.parsed': 0, 'dmmf.spliced': splicer.lastSplice });
    return freeze ? deepFreeze(spliced) : spliced;
  }

  /** JSON.parse(text), with the last text's unchanged items as their old objects. */
  function reuse(text: string): unknown {
    const next = new Map<string, Item[]>();
    const taken = new Set<Item>(); // an item twice in one DMMF gets two objects, as from JSON.parse
    const values: unknown[] = [];
    const skeleton: string[] = [];
    let reused = 0;
    let last = 0;
    // The container opened at each depth, to tell a list element from an object's property.
    const opened: number[] = [];
    let depth = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        i = closingQuote(text, i);
      } else if (c === OPEN_BRACE && depth < MAX_ITEM_DEPTH && opened[depth] === OPEN_BRACKET) {
        const key = itemKey(text, i);
        // Text equal to an old item's is that item: a whole JSON value ends where its text does.
        const old = previous
          .get(key)
          ?.find((item) => !taken.has(item) && text.slice(i, i + item.end - item.start) === previousText.slice(item.start, item.end));
        const end = old ? i + old.end - old.start : valueEnd(text, i);
        const item = { start: i, end, value: old ? old.value : parseItem(text.slice(i, end)) };
        if (old) {
          taken.add(old);
          reused++;
        }
        const same = next.get(key);
        if (same) same.push(item);
        else next.set(key, [item]);
        values.push(item.value);
        skeleton.push(text.slice(last, i), JSON.stringify(PLACEHOLDER + String(values.length - 1)));
        last = end;
        i = end - 1;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        opened[++depth] = c;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
      }
    }
    skeleton.push(text.slice(last));
    previousText = text;
    previous = next;
    counts['dmmf.reused'] = reused;
    counts['dmmf.parsed'] = values.length - reused;
    const whole: unknown = nativeParse(skeleton.join(''), (_key, value: unknown) =>
      typeof value === 'string' && value.charCodeAt(0) === 0 ? values[Number(value.slice(1))] : value,
    );
    return freeze ? deepFreeze(whole) : whole;
  }
  const reader: DmmfReader = { parse, splice, counts, enabled: true };
  return reader;
}

/** An item's first property as text, up to 200 characters (`{"name":"UserWhereInput"`). */
function itemKey(text: string, start: number): string {
  const comma = text.indexOf(',', start);
  return text.slice(start, comma === -1 || comma - start > 200 ? start + 200 : comma);
}

/** The offset just past the object or list that opens at `open`. */
function valueEnd(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = closingQuote(text, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
  }
  throw new SyntaxError('unterminated object in the DMMF');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The offset of the quote closing the string that opens at `open`. */
function closingQuote(text: string, open: number): number {
  let close = text.indexOf('"', open + 1);
  while (close !== -1 && text.charCodeAt(close - 1) === BACKSLASH) {
    let backslashes = 1;
    while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) break;
    close = text.indexOf('"', close + 1);
  }
  if (close === -1) throw new SyntaxError('unterminated string in the DMMF');
  return close;
}
