/**
 * Go's string semantics where goose's behaviour depends on them. JavaScript's `trim()` and `\s`
 * differ from Go's `unicode.IsSpace` (JS strips U+FEFF, Go does not; Go strips U+0085, JS does
 * not), and goose's error messages quote text with Go's `%q`. Pure; no imports.
 */

/** Go's `unicode.IsSpace` for one code point. */
export function isGoSpace(codePoint: number): boolean {
  if (codePoint <= 0xff) {
    return (codePoint >= 0x09 && codePoint <= 0x0d) || codePoint === 0x20 || codePoint === 0x85 || codePoint === 0xa0;
  }
  return (
    codePoint === 0x1680 ||
    (codePoint >= 0x2000 && codePoint <= 0x200a) ||
    codePoint === 0x2028 ||
    codePoint === 0x2029 ||
    codePoint === 0x202f ||
    codePoint === 0x205f ||
    codePoint === 0x3000
  );
}

/** Number of UTF-16 units of leading Go whitespace in `text` (all Go spaces are single units). */
export function goLeadingSpaceLength(text: string): number {
  let index = 0;
  while (index < text.length && isGoSpace(text.charCodeAt(index))) index++;
  return index;
}

/** Go's `strings.TrimSpace`. */
export function goTrimSpace(text: string): string {
  const start = goLeadingSpaceLength(text);
  let end = text.length;
  while (end > start && isGoSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** Go's `strings.Fields` (what `bufio.ScanWords` yields): runs of non-space code points. */
export function goFields(text: string): string[] {
  const words: string[] = [];
  let current = '';
  for (const char of text) {
    if (isGoSpace(char.codePointAt(0)!)) {
      if (current !== '') words.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (current !== '') words.push(current);
  return words;
}

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const goPrintable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const shortEscapes: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

/** Go's `strconv.Quote` (the `%q` verb), so messages match goose's own byte for byte. */
export function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    if (char === '"' || char === '\\') {
      out += `\\${char}`;
    } else if (goPrintable.test(char)) {
      out += char;
    } else if (shortEscapes[char] !== undefined) {
      out += shortEscapes[char];
    } else {
      const codePoint = char.codePointAt(0)!;
      if (codePoint < 0x20 || codePoint === 0x7f) out += `\\x${hex(codePoint, 2)}`;
      else if (codePoint < 0x10000) out += `\\u${hex(codePoint, 4)}`;
      else out += `\\U${hex(codePoint, 8)}`;
    }
  }
  return `${out}"`;
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}

/** Go's `strconv.ParseInt(text, 10, 64)` / `Atoi`: an optional sign, then ASCII digits only. */
export function goParseInt(text: string, func: 'ParseInt' | 'Atoi'): { value: bigint } | { error: string } {
  if (!/^[+-]?[0-9]+$/.test(text)) return { error: `strconv.${func}: parsing ${goQuote(text)}: invalid syntax` };
  const value = BigInt(text);
  if (value > 9223372036854775807n || value < -9223372036854775808n) {
    return { error: `strconv.${func}: parsing ${goQuote(text)}: value out of range` };
  }
  return { value };
}
