/**
 * Pure reading of ClickHouse error messages, old and new:
 *
 *   18.16:  `Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 35: …, e.what() = DB::Exception`
 *   23.x+:  `Code: 62. DB::Exception: Syntax error: failed at position 35 ('x') (line 1, col 35): …. (SYNTAX_ERROR) (version 24.3.1.1)`
 *
 * Both may be followed by a server stack trace, which users never need to see.
 */

export interface ServerError {
  /** ClickHouse's numeric error code as text (`"62"`), when the message or the client had one. */
  code?: string;
  /** The message without the `Code: N` prefix, the `e.what()` suffix and any stack trace. */
  message: string;
}

const CODE_PREFIX = /^\s*Code:\s*(\d+)[.,]\s*/;

/** Reads a thrown value from @clickhouse/client. `clientCode` is the client's `code` field, if any. */
export function readServerError(text: string, clientCode?: string): ServerError {
  const match = CODE_PREFIX.exec(text);
  const code = match?.[1] ?? (clientCode && /^\d+$/.test(clientCode) ? clientCode : undefined);
  let message = match ? text.slice(match[0].length) : text;
  message = message
    .replace(/^e\.displayText\(\) = /, '')
    .replace(/,?\s*Stack trace[\s\S]*$/, '')
    .replace(/,\s*e\.what\(\) = DB::Exception\s*$/, '')
    .replace(/^DB::Exception:\s*/, '')
    .trim();
  return code === undefined ? { message } : { code, message };
}

/** True when `text` carries a ClickHouse server error (as opposed to a network or client error). */
export function isServerErrorText(text: string): boolean {
  return CODE_PREFIX.test(text);
}

/**
 * The 1-based character offset of a syntax error inside `sql`, from "failed at position N"
 * (ClickHouse counts UTF-8 bytes from 1; this converts to code points, as positionInFile counts).
 * Undefined when the message names no position or the position lies outside the statement.
 */
export function errorOffset(message: string, sql: string): number | undefined {
  const match = /failed at position (\d+)/.exec(message);
  if (!match) return undefined;
  const bytePosition = Number(match[1]);
  const bytes = Buffer.from(sql, 'utf8');
  if (bytePosition < 1 || bytePosition > bytes.length + 1) return undefined;
  return [...bytes.subarray(0, bytePosition - 1).toString('utf8')].length + 1;
}

/**
 * True when the server refused the `SETTINGS mutations_sync = 2` clause of an ALTER … DELETE:
 * 18.x cannot parse SETTINGS after ALTER (code 62, syntax error at "SETTINGS"); a server that
 * parses it but does not know the setting answers code 115 (UNKNOWN_SETTING).
 */
export function rejectsMutationsSync(error: ServerError): boolean {
  if (error.code === '115') return /mutations_sync/.test(error.message);
  if (error.code === '62') return /failed at position \d+[^:]*:\s*SETTINGS\b/.test(error.message);
  return false;
}

/**
 * The setting of `names` (the URL's query string) that the server does not know, when `error`
 * is its UNKNOWN_SETTING (115): 18.16 says `Unknown setting x`, newer servers `Setting x is
 * neither a builtin setting nor …`. Undefined for any other error.
 */
export function unknownSetting(error: ServerError, names: readonly string[]): string | undefined {
  if (error.code !== '115') return undefined;
  const words = error.message.split(/[^\w]+/);
  return names.find((name) => words.includes(name));
}
