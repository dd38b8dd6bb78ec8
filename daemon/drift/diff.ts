import { structuredPatch } from 'diff';

/**
 * A short unified diff for drift findings (an edited migration, a hand-edited schema.prisma).
 * jsdiff's Myers diff is near-linear for texts that differ in a few places, so even a
 * schema.prisma of thousands of models costs milliseconds; `timeout` bounds pathological inputs.
 */
export interface LineDiff {
  /** 1-based line of the first difference in `before`: where the reader should look. */
  firstLine: number;
  /** `--- a` / `+++ b` (when labelled), `@@ … @@` hunk headers, then `-`, `+` and ` ` lines. */
  text: string;
  /** Lines removed plus lines added, including any cut from `text`. */
  changedLines: number;
}

export interface LineDiffOptions {
  /** Unchanged lines around each change (default 2). */
  context?: number;
  /** `text` is cut to this many lines, saying how many were left out (default 30). */
  maxLines?: number;
  labels?: [before: string, after: string];
}

/** Undefined when the texts are equal line for line (CRLF, trailing spaces and final blank lines aside). */
export function lineDiff(before: string, after: string, options: LineDiffOptions = {}): LineDiff | undefined {
  const [a, b] = [normalize(before), normalize(after)];
  if (a === b) return undefined;
  const [labelA, labelB] = options.labels ?? ['before', 'after'];
  const patch = structuredPatch(labelA, labelB, a, b, undefined, undefined, { context: options.context ?? 2, timeout: 2_000 });
  const lineCount = a === '' ? 0 : a.split('\n').length - 1;
  if (!patch) return { firstLine: 1, text: '(the texts differ in too many places to show)', changedLines: Math.max(lineCount, 1) };

  const lines = options.labels ? [`--- ${labelA}`, `+++ ${labelB}`] : [];
  let firstLine: number | undefined;
  let changedLines = 0;
  for (const hunk of patch.hunks) {
    lines.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
    let line = hunk.oldStart;
    for (const text of hunk.lines) {
      if (text.startsWith('\\')) continue; // "\ No newline at end of file"
      if (text[0] !== ' ') {
        changedLines++;
        // An addition after the last line points at the last line, not past it.
        firstLine ??= Math.max(1, Math.min(line, lineCount));
      }
      if (text[0] !== '+') line++;
      lines.push(text);
    }
  }
  const maxLines = options.maxLines ?? 30;
  const shown = lines.length > maxLines ? [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more diff lines`] : lines;
  return { firstLine: firstLine ?? 1, text: shown.join('\n'), changedLines };
}

/** Lines without CR and trailing spaces, without final blank lines, newline-terminated. */
function normalize(text: string): string {
  const lines = text.split('\n').map((line) => line.replace(/\s+$/, ''));
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
