import { createRequire } from 'node:module';

import { pino } from 'pino';
import type * as PinoPretty from 'pino-pretty';

import { redact, redactUrl } from './redact.ts';
import type { Logger } from './types.ts';

/**
 * The only pino user. Builds the daemon's logger: a pretty, colourised, one-line-per-event log
 * for a terminal, or JSON lines for machines. Either way every line is scrubbed of secrets
 * before it is written.
 */

export type LogFormat = 'pretty' | 'json';

export interface LoggerOptions {
  /** A pino level: trace, debug, info, warn, error, fatal or silent. */
  level: string;
  /** Pretty unless JSON was asked for (--log-format json / LOG_FORMAT=json). */
  format: LogFormat;
  /** Where lines go; stdout (written synchronously) by default. */
  destination?: NodeJS.WritableStream | { write(line: string): void };
  /** Colours in the pretty format; see `wantsColor`. */
  colorize?: boolean;
}

/**
 * Colour only on a terminal, as most CLIs do: piped through concurrently or into `docker compose
 * logs`, escape codes are noise unless FORCE_COLOR asks for them (concurrently sets it when its
 * own output is a terminal). NO_COLOR (https://no-color.org) always wins.
 */
export function wantsColor(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR.toLowerCase());
  return isTTY;
}

/** Fields pino's redaction replaces wherever they appear at these paths. */
const REDACTED_PATHS = ['url', 'databaseUrl', 'password', '*.password', '*.url', '*.databaseUrl', 'env'];

/**
 * Creates the logger. `flush()` pushes out anything buffered; call it before the process exits.
 * Lines are written synchronously on the calling thread (pino-pretty runs in-process, not as a
 * worker transport) so nothing is lost on exit and an idle daemon costs nothing.
 */
export function createLogger(options: LoggerOptions): Logger & { flush(): void } {
  const output = options.destination ?? pino.destination({ dest: 1, sync: true });
  const render =
    options.format === 'json'
      ? (event: Record<string, unknown>) => `${JSON.stringify(event)}\n`
      : prettyRenderer(options.colorize ?? wantsColor(process.env, (output as { isTTY?: boolean }).isTTY === true));
  const destination = {
    /** pino hands us one serialized event per call. */
    write(line: string) {
      output.write(scrubLine(line, render));
    },
    flush(callback?: (error?: Error) => void) {
      flushOutput(output);
      callback?.();
    },
  };
  const logger = pino(
    {
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: censorField },
    },
    destination,
  );
  return Object.assign(logger, {
    flush() {
      flushOutput(output);
    },
  });
}

/**
 * Redacts one serialized event and renders it. Redaction works on the parsed values, not on the
 * JSON text: `redact()`'s `password=…` pattern would otherwise swallow a closing quote and break
 * the line. A line that is not JSON (it should not happen) is redacted as plain text.
 */
function scrubLine(line: string, render: (event: Record<string, unknown>) => string): string {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return redact(line);
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return redact(line);
  return render(redactDeep(event) as Record<string, unknown>);
}

/** Every string inside `value` passed through `redact()`; the structure is kept. */
export function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactDeep(inner)]));
  }
  return value;
}

/** URLs stay readable with their password masked; anything else at a secret path is hidden. */
function censorField(value: unknown, path: string[]): unknown {
  const key = path[path.length - 1] ?? '';
  if (typeof value === 'string' && /url$/i.test(key)) return redactUrl(value);
  return '[redacted]';
}

/** Flushes a sonic-boom destination (our default stdout); other streams write through. */
function flushOutput(output: object): void {
  const flushable = output as { flushSync?: () => void };
  try {
    flushable.flushSync?.();
  } catch {
    // Writing to a closed or busy stdout must not crash a shutdown.
  }
}

const require = createRequire(import.meta.url);

function prettyRenderer(colorize: boolean): (event: Record<string, unknown>) => string {
  let prettify: ((event: Record<string, unknown>) => string) | undefined;
  // pino-pretty is loaded at the first line: a command that logs nothing (`status`, `version`)
  // starts a fifth faster without it.
  return (event) => (prettify ??= prettyFormatter(colorize))(event);
}

function prettyFormatter(colorize: boolean): (event: Record<string, unknown>) => string {
  const { prettyFactory } = require('pino-pretty') as typeof PinoPretty;
  const prettify = prettyFactory({
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    // The message format below shows the fields that matter; the rest stay in the JSON format.
    hideObject: true,
    messageFormat: (log, messageKey, _levelLabel, { colors }) => formatPrettyMessage(log, messageKey, colorize ? colors.gray : (text) => text),
  });
  return (event) => prettify(event);
}

/** Fields the pretty line already shows in its own way, or that say nothing to a person. */
const SHOWN_ELSEWHERE = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'event', 'target', 'step', 'tool', 'durationMs', 'err']);

/**
 * The text after the level on a pretty line:
 * `[postgres] apply 20250101_x.sql (12 ms) file=… statement=2`, then any multi-line field (a code
 * frame, a tool's output, an unexpected error's stack) indented on the lines below.
 */
export function formatPrettyMessage(log: Record<string, unknown>, messageKey = 'msg', dim: (text: string) => string = (text) => text): string {
  const scope = [log.target, log.step, log.tool].find((value) => typeof value === 'string');
  const message = typeof log[messageKey] === 'string' ? log[messageKey] : typeof log.event === 'string' ? log.event : '';
  const parts: string[] = [];
  if (scope) parts.push(`[${scope}]`);
  if (message) parts.push(message.split('\n', 1)[0] ?? '');
  // run:end's summary line already states its duration.
  if (typeof log.durationMs === 'number' && log.event !== 'run:end') parts.push(dim(`(${formatMs(log.durationMs)})`));

  const errorInfo = describeError(log.err);
  if (errorInfo.message && !message.includes(errorInfo.message)) {
    parts.push(parts.length > 0 ? `· ${errorInfo.message}` : errorInfo.message);
  }

  // Scalar fields stay out of the pretty line: the message is written for people and already
  // says what matters; the JSON format carries every field for machines.
  const below: string[] = [];
  if (message.includes('\n')) below.push(message.slice(message.indexOf('\n') + 1));
  for (const [key, value] of Object.entries(log)) {
    if (SHOWN_ELSEWHERE.has(key) || key === messageKey) continue;
    if (typeof value === 'string' && value.includes('\n')) below.push(value);
  }
  if (errorInfo.stack) below.push(errorInfo.stack);

  const line = parts.join(' ');
  return [line, ...below.map((text) => dim(indent(text.replace(/\n+$/, ''), '    ')))].join('\n');
}

/**
 * pino serializes an error as {type, message, stack, ...own fields}. Our own errors carry a
 * `code` and a message written for people, so only an unexpected error (no code) shows its stack.
 * An `err` given as text is its reason too: the line says why, whichever way the caller passed it.
 */
function describeError(err: unknown): { message?: string; stack?: string } {
  if (typeof err === 'string') return err ? { message: err.split('\n', 1)[0] ?? '' } : {};
  if (typeof err !== 'object' || err === null) return {};
  const { message, stack, code } = err as { message?: unknown; stack?: unknown; code?: unknown };
  const info: { message?: string; stack?: string } = {};
  if (typeof message === 'string') info.message = message.split('\n', 1)[0] ?? '';
  if (code === undefined && typeof stack === 'string') info.stack = stack;
  return info;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}
