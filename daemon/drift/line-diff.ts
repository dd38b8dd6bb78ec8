/**
 * A small line diff for drift findings: which lines of a file differ from what a tool would
 * write, shown as a short unified-style excerpt. Pure. Schema files are a few hundred lines, so
 * the plain O(n·m) longest-common-subsequence table is fast enough and keeps this dependency-free.
 */

export interface LineDiff {
  /** 1-based line of the first difference in `before` (where the reader should look). */
  firstLine: number;
  /** `-` lines only in `before`, `+` lines only in `after`, two lines of context, `…` between hunks. */
  text: string;
  /** Lines changed in all (removed + added), including those cut from `text`. */
  changedLines: number;
}

type Op = { kind: " " | "-" | "+"; line: string; beforeLine: number };

/** Both texts as lines, CRLF and trailing blank lines ignored (a tool's final newline is not drift). */
function linesOf(text: string): string[] {
  const lines = text
    .replaceAll("\r\n", "\n")
    .split("\n")
    .map((line) => line.trimEnd());
  while (lines.length > 0 && lines.at(-1) === "") lines.pop();
  return lines;
}

function operations(before: string[], after: string[]): Op[] {
  const n = before.length;
  const m = after.length;
  // lcs[i][j]: length of the longest common subsequence of before[i..] and after[j..].
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] =
        before[i] === after[j]
          ? lcs[i + 1]![j + 1]! + 1
          : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      ops.push({ kind: " ", line: before[i]!, beforeLine: i + 1 });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      ops.push({ kind: "+", line: after[j]!, beforeLine: i + 1 });
      j++;
    } else {
      ops.push({ kind: "-", line: before[i]!, beforeLine: i + 1 });
      i++;
    }
  }
  return ops;
}

/**
 * The difference between `before` and `after`, or undefined when they are the same line for line
 * (trailing whitespace and final blank lines aside). `text` holds at most `maxLines` lines.
 */
export function lineDiff(
  before: string,
  after: string,
  options: { context?: number; maxLines?: number } = {},
): LineDiff | undefined {
  const context = options.context ?? 2;
  const maxLines = options.maxLines ?? 24;
  const beforeLines = linesOf(before);
  const ops = operations(beforeLines, linesOf(after));
  const changed = ops.flatMap((op, index) => (op.kind === " " ? [] : [index]));
  if (changed.length === 0) return undefined;

  // Keep every changed line and `context` unchanged lines around it.
  const keep = new Set<number>();
  for (const index of changed) {
    for (
      let k = Math.max(0, index - context);
      k <= Math.min(ops.length - 1, index + context);
      k++
    )
      keep.add(k);
  }
  const out: string[] = [];
  let previous = -1;
  for (const index of [...keep].sort((a, b) => a - b)) {
    if (previous !== -1 && index !== previous + 1) out.push("…");
    const op = ops[index]!;
    out.push(`${op.kind} ${op.line}`.trimEnd());
    previous = index;
  }
  const shown =
    out.length > maxLines
      ? [...out.slice(0, maxLines), `… (${out.length - maxLines} more lines)`]
      : out;
  // An addition after the last line points at the last line, not past it.
  const firstLine = Math.max(
    1,
    Math.min(ops[changed[0]!]!.beforeLine, beforeLines.length),
  );
  return { firstLine, text: shown.join("\n"), changedLines: changed.length };
}
