/**
 * A short unified-style line diff, for showing what changed in a file (`detail` of a finding).
 * Pure. Line-based LCS: migration files are small, so the quadratic table is cheap; inputs over
 * `maxCells` compare as wholly replaced rather than risk a large allocation.
 */

export interface DiffOptions {
  /** Unchanged lines kept around each change. */
  context?: number;
  /** Output is cut to this many lines, with a note saying how many were left out. */
  maxLines?: number;
  /** Labels of the two sides, printed as `--- before` / `+++ after`. */
  labels?: [string, string];
}

const MAX_CELLS = 4_000_000;

/** '' when the texts are equal (CRLF and LF count as equal). */
export function shortDiff(before: string, after: string, options: DiffOptions = {}): string {
  const a = splitLines(before);
  const b = splitLines(after);
  if (a.join('\n') === b.join('\n')) return '';
  const ops = diffLines(a, b);
  const context = options.context ?? 2;
  const keep = ops.map(() => false);
  ops.forEach((op, index) => {
    if (op.type === ' ') return;
    for (let k = Math.max(0, index - context); k <= Math.min(ops.length - 1, index + context); k++) keep[k] = true;
  });
  const lines: string[] = options.labels ? [`--- ${options.labels[0]}`, `+++ ${options.labels[1]}`] : [];
  let skipped = false;
  ops.forEach((op, index) => {
    if (!keep[index]) {
      if (!skipped) lines.push('@@');
      skipped = true;
      return;
    }
    skipped = false;
    lines.push(`${op.type}${op.line}`);
  });
  const max = options.maxLines ?? 40;
  if (lines.length <= max) return lines.join('\n');
  return [...lines.slice(0, max), `… ${lines.length - max} more diff lines`].join('\n');
}

interface Op {
  type: ' ' | '-' | '+';
  line: string;
}

function splitLines(text: string): string[] {
  const lines = text.replaceAll('\r\n', '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function diffLines(a: string[], b: string[]): Op[] {
  if ((a.length + 1) * (b.length + 1) > MAX_CELLS) {
    return [...a.map((line) => ({ type: '-' as const, line })), ...b.map((line) => ({ type: '+' as const, line }))];
  }
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push({ type: ' ', line: a[i]! });
      i++;
      j++;
    } else if (lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!) {
      ops.push({ type: '-', line: a[i++]! });
    } else {
      ops.push({ type: '+', line: b[j++]! });
    }
  }
  while (i < a.length) ops.push({ type: '-', line: a[i++]! });
  while (j < b.length) ops.push({ type: '+', line: b[j++]! });
  return ops;
}
