/**
 * Typed errors with stable codes. Every failure a user can meet is one of these; the CLI maps
 * `code` to an exit status and the log prints `message` (already a full sentence, naming the
 * file and line where there is one). Recognise them with `hasErrorCode` (one class) or
 * `isSchemasyncError` (any), never `instanceof`, so they survive being passed across module
 * copies (vitest, tsx).
 */

export type ErrorCode =
  | 'CONFIG' // bad flag, env or config value
  | 'USAGE' // wrong command line
  | 'FILENAME' // a migration file name goose would reject
  | 'PARSE' // a migration file goose's parser would reject
  | 'PLAN' // out-of-order or missing migrations, duplicate versions, nothing to roll back
  | 'GO_MIGRATION' // a Go migration reached: the project's own goose build must run it
  | 'MIGRATION' // a statement failed on the database
  | 'CONNECTION' // a database could not be reached
  | 'QUERY' // the database answered but refused schemasync's own query (permission, missing schema, read-only…)
  | 'LOCK' // the migration lock could not be taken in time
  | 'TOOL' // prisma, sqlc or goose failed, hung or crashed
  | 'TOOL_MISSING' // a tool is not installed
  | 'CANCELLED' // stopped by a signal or shutdown
  | 'INTERNAL'; // a bug in schemasync: the message carries the stack

const brand = Symbol.for('schemasync.error');

export class SchemasyncError extends Error {
  readonly [brand] = true;
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export function isSchemasyncError(value: unknown): value is SchemasyncError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

export class ConfigError extends SchemasyncError {
  declare readonly code: 'CONFIG';
  /** Every problem found, so the user fixes them all at once. */
  readonly problems: string[];
  constructor(problems: string[]) {
    super('CONFIG', problems.length === 1 ? problems[0]! : `invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

export class UsageError extends SchemasyncError {
  declare readonly code: 'USAGE';
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** A file name goose would refuse (no `_`, non-numeric or non-positive version). */
export class FilenameError extends SchemasyncError {
  declare readonly code: 'FILENAME';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super('FILENAME', `${file}: ${reason}`);
  }
}

/** A migration file goose's parser would refuse. `line` is 1-based. */
export class ParseError extends SchemasyncError {
  declare readonly code: 'PARSE';
  /** The lines around `line`, with a marker, ready to print (set by the parser, not enumerable). */
  declare readonly codeFrame?: string;
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super('PARSE', `${file}:${line}: ${reason}`);
  }
}

export class PlanError extends SchemasyncError {
  declare readonly code: 'PLAN';
  constructor(message: string) {
    super('PLAN', message);
  }
}

/**
 * A Go migration was reached: goose's stock binary cannot run it either ("Go functions must be
 * registered and built into a custom binary"); the project's own goose build must.
 */
export class GoMigrationError extends SchemasyncError {
  declare readonly code: 'GO_MIGRATION';
  constructor(
    readonly file: string,
    direction: 'up' | 'down',
  ) {
    super(
      'GO_MIGRATION',
      `${file} is a Go migration: failed to run Go migration: Go functions must be registered and built into a custom binary. ` +
        `Run its ${direction} with the project's own goose build (the binary that registers it), then run schemasync again to continue past it.`,
    );
  }
}

export interface MigrationErrorDetails {
  target: string;
  file: string;
  direction: 'up' | 'down';
  /** 0-based index of the failing statement in its section. */
  statementIndex: number;
  statement: string;
  /** 1-based position in the migration file, when known. */
  line?: number;
  column?: number;
  /** Server error code: PostgreSQL SQLSTATE, or ClickHouse's numeric code as text. */
  serverCode?: string;
  serverMessage: string;
  /** A few lines of the file around the error, with a marker, ready to print. */
  codeFrame?: string;
  /**
   * Statements of the same file that stay applied (targets without transactions, or NO
   * TRANSACTION files). Empty when everything was rolled back.
   */
  appliedStatements: number[];
  rolledBack: boolean;
}

export class MigrationError extends SchemasyncError {
  declare readonly code: 'MIGRATION';
  readonly details: MigrationErrorDetails;
  constructor(details: MigrationErrorDetails, options?: { cause?: unknown }) {
    const where = details.line ? `${details.file}:${details.line}:${details.column ?? 1}` : details.file;
    const code = details.serverCode ? ` [${details.serverCode}]` : '';
    super(
      'MIGRATION',
      `${where}: ${details.direction} statement ${details.statementIndex + 1} failed on ${details.target}${code}: ${details.serverMessage}`,
      options,
    );
    this.details = details;
  }
}

export class ConnectionError extends SchemasyncError {
  declare readonly code: 'CONNECTION';
  /** `where` must already be redacted (no password). */
  constructor(
    readonly where: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('CONNECTION', `cannot reach ${where}: ${message}`, options);
  }
}

export interface QueryErrorDetails {
  target: string;
  /** What schemasync could not do, after "could not": "read goose's version table". */
  doing: string;
  /** The object involved, e.g. `goose_db_version`, when there is one. */
  object?: string;
  /** PostgreSQL SQLSTATE, or ClickHouse's numeric code as text. */
  serverCode?: string;
  serverMessage: string;
  /** What to do about it, when the code says. */
  hint?: string;
}

/**
 * The server answered, but refused a query of schemasync's own (not a migration statement): no
 * privilege, a missing schema, a read-only server, a lock timeout. Not an outage: retrying at
 * once would fail the same way, so the daemon waits for the next change.
 */
export class QueryError extends SchemasyncError {
  declare readonly code: 'QUERY';
  readonly details: QueryErrorDetails;
  constructor(details: QueryErrorDetails, options?: { cause?: unknown }) {
    const code = details.serverCode ? ` [${details.serverCode}]` : '';
    const hint = details.hint ? `; ${details.hint}` : '';
    super('QUERY', `${details.target} could not ${details.doing}${code}: ${details.serverMessage}${hint}`, options);
    this.details = details;
  }
}

export class LockError extends SchemasyncError {
  declare readonly code: 'LOCK';
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOCK', message, options);
  }
}

export interface ToolErrorDetails {
  tool: string;
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  /** The end of the tool's combined output, trimmed to a few KiB. */
  outputTail: string;
}

export class ToolError extends SchemasyncError {
  declare readonly code: 'TOOL';
  readonly details: ToolErrorDetails;
  constructor(message: string, details: ToolErrorDetails, options?: { cause?: unknown }) {
    super('TOOL', message, options);
    this.details = details;
  }
}

export class ToolMissingError extends SchemasyncError {
  declare readonly code: 'TOOL_MISSING';
  constructor(
    readonly tool: string,
    readonly installHint: string,
  ) {
    super('TOOL_MISSING', `${tool} not found; ${installHint}`);
  }
}

export class CancelledError extends SchemasyncError {
  declare readonly code: 'CANCELLED';
  constructor(message = 'cancelled') {
    super('CANCELLED', message);
  }
}

/** A short message for any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Every error class by its literal `code`: a `switch (error.code)` narrows to the class without casts. */
export type KnownError =
  | ConfigError
  | UsageError
  | FilenameError
  | ParseError
  | PlanError
  | GoMigrationError
  | MigrationError
  | ConnectionError
  | QueryError
  | LockError
  | ToolError
  | ToolMissingError
  | CancelledError;

/** Any thrown value as a SchemasyncError: ours pass through; anything else is a bug (INTERNAL), its stack kept. */
export function toSchemasyncError(thrown: unknown, prefix = ''): SchemasyncError {
  if (isSchemasyncError(thrown)) return thrown;
  return new SchemasyncError('INTERNAL', `${prefix}${thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown)}`, { cause: thrown });
}

/** A type guard by code, in place of `instanceof` (which fails across module copies). */
export function hasErrorCode<C extends KnownError['code']>(value: unknown, code: C): value is Extract<KnownError, { code: C }> {
  return isSchemasyncError(value) && value.code === code;
}
