/**
 * Bounded capture of a child's output and the short excerpts shown when a tool fails. Pure: no
 * processes here, so the trimming rules are tested on strings.
 */

/**
 * Collects one output stream keeping at most `maxBytes`: the first half and the last half, with a
 * marker saying how much was dropped in between. Memory stays bounded however much a tool prints.
 */
export class BoundedOutput {
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private omitted = 0;

  constructor(maxBytes: number) {
    this.headLimit = Math.floor(maxBytes / 2);
    this.tailLimit = maxBytes - this.headLimit;
  }

  push(chunk: Buffer | string): void {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.headBytes < this.headLimit) {
      const take = Math.min(this.headLimit - this.headBytes, data.length);
      this.head.push(data.subarray(0, take));
      this.headBytes += take;
      data = data.subarray(take);
    }
    if (data.length === 0) return;
    this.tail.push(data);
    this.tailBytes += data.length;
    while (this.tailBytes > this.tailLimit) {
      const first = this.tail[0]!;
      const excess = this.tailBytes - this.tailLimit;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
        this.omitted += first.length;
      } else {
        // Copy so the dropped part of a large chunk can be garbage-collected.
        this.tail[0] = Buffer.from(first.subarray(excess));
        this.tailBytes -= excess;
        this.omitted += excess;
      }
    }
  }

  /** Total bytes received, kept or not. */
  get receivedBytes(): number {
    return this.headBytes + this.tailBytes + this.omitted;
  }

  toString(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    if (this.omitted === 0) return head + tail;
    return `${head}\n… ${this.omitted} bytes omitted …\n${tail}`;
  }
}

// Colour and cursor codes: tools print them even without a TTY sometimes (prisma's spinners).
// eslint-disable-next-line no-control-regex -- matching the ESC control character is the point.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/**
 * The end of a failed tool's output for the error report: stdout then stderr (the error is
 * usually last), colours removed, blank edges trimmed, at most `maxLines` lines and `maxBytes`.
 */
export function outputTail(stdout: string, stderr: string, maxLines = 40, maxBytes = 4096): string {
  const combined = [stdout, stderr]
    .map((text) => stripAnsi(text).trim())
    .filter(Boolean)
    .join('\n');
  let lines = combined.split('\n');
  if (lines.length > maxLines) lines = lines.slice(-maxLines);
  let tail = lines.join('\n');
  if (Buffer.byteLength(tail) > maxBytes) {
    const bytes = Buffer.from(tail);
    tail = bytes.subarray(bytes.length - maxBytes).toString('utf8');
    // Start at a whole line (and never mid-character) when the cut leaves one.
    const newline = tail.indexOf('\n');
    if (newline !== -1 && newline < tail.length - 1) tail = tail.slice(newline + 1);
  }
  return tail;
}

/** Lines that say what went wrong, in the forms prisma, sqlc and goose print. */
const ERROR_LINE = /\berror\b|\bfailed\b|^\S+:\d+:\d+: |panic|does not exist|not found/i;

/**
 * The line that best names a failure, for a one-line message: the first line that looks like an
 * error (stderr before stdout), else the first non-empty line of stderr, then of stdout; '' if the
 * tool printed nothing.
 */
export function firstMeaningfulLine(stdout: string, stderr: string): string {
  const lines = (text: string) =>
    stripAnsi(text)
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0);
  const errLines = lines(stderr);
  const outLines = lines(stdout);
  const pick = [...errLines, ...outLines].find((line) => ERROR_LINE.test(line)) ?? errLines[0] ?? outLines[0] ?? '';
  return pick.length > 300 ? `${pick.slice(0, 300)}…` : pick;
}
