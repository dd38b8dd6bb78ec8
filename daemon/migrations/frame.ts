/** Code frames: the lines of a migration around an error, ready for the log. */
import { codeFrameColumns } from '@babel/code-frame';

/**
 * A few lines of `text` around the 1-based `line` (2 above, 2 below) with a `>` marker on that
 * line and, when `column` is given, a `^` under that column. No colours: the logger decides.
 * A line outside the text is clamped to it, so a stale position still yields a frame.
 */
export function codeFrame(text: string, line: number, column?: number): string {
  const lineCount = text.split(/\r\n|[\n\r\u2028\u2029]/).length;
  const safeLine = Math.min(Math.max(Math.trunc(line), 1), lineCount);
  const start = column === undefined ? { line: safeLine } : { line: safeLine, column: Math.max(Math.trunc(column), 1) };
  return codeFrameColumns(text, { start }, { linesAbove: 2, linesBelow: 2, highlightCode: false });
}
