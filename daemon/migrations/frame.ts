/** Code frames: the lines of a migration around an error, ready for the log. */
import { createRequire } from 'node:module';

import type * as BabelCodeFrame from '@babel/code-frame';

// Loaded when a frame is drawn (an error), not by every command that parses a migration.
const require = createRequire(import.meta.url);

/**
 * A few lines of `text` around the 1-based `line` (2 above, 2 below) with a `>` marker on that
 * line and, when `column` is given, a `^` under that column. No colours: the logger decides.
 * A line outside the text is clamped to it, so a stale position still yields a frame.
 */
export function codeFrame(text: string, line: number, column?: number): string {
  const lineCount = text.split(/\r\n|[\n\r\u2028\u2029]/).length;
  const safeLine = Math.min(Math.max(Math.trunc(line), 1), lineCount);
  const start = column === undefined ? { line: safeLine } : { line: safeLine, column: Math.max(Math.trunc(column), 1) };
  const { codeFrameColumns } = require('@babel/code-frame') as typeof BabelCodeFrame;
  return codeFrameColumns(text, { start }, { linesAbove: 2, linesBelow: 2, highlightCode: false });
}
