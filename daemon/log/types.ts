/**
 * The logger every module receives (passed in, never imported as a global). It is pino's shape:
 * structured fields first, then a short human message. Only log/logger.ts knows pino itself.
 */
export interface LogFn {
  (fields: Record<string, unknown>, message?: string): void;
  (message: string): void;
}

export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

/** A logger that drops everything: for tests of pure logic and for quiet library use. */
export const silentLogger: Logger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  fatal: () => {},
  child: () => silentLogger,
};
