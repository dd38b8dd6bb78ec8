/** Shared types of the pure migration domain. */

export type Direction = 'up' | 'down';

/** A migration file as found on disk (source.ts), before parsing. */
export interface MigrationFile {
  /** goose version (the numeric prefix of the file name). */
  version: number;
  description: string;
  /** Base name, e.g. `20240101120000_add_users.sql`. */
  name: string;
  /** Path as shown to users: relative to the project root when inside it. */
  path: string;
  /** File text, exactly as read (UTF-8). */
  text: string;
  /** checksum.ts of `text`. */
  checksum: string;
  /**
   * A Go migration (`NNN_name.go`): only a goose binary built with it registered can run it.
   * Its `text` and `checksum` are empty; listed only when asked for (`includeGo`).
   */
  go?: true;
}

/** One statement as goose would send it, with where it came from. */
export interface Statement {
  /** The SQL text goose sends (lines joined with `\n`, trimmed). */
  sql: string;
  /**
   * 1-based file line of each `\n`-separated line of `sql` (after substitution the text may
   * differ from the file, the line numbers do not).
   */
  lines: number[];
  /** 1-based column in the file where `sql` starts on its first line. */
  column: number;
}

export interface ParsedSection {
  statements: Statement[];
  /** `-- +goose NO TRANSACTION` anywhere in the file. */
  noTransaction: boolean;
}

/**
 * A version row of goose's version table, in the order of goose's own list query
 * (PostgreSQL: newest id first; ClickHouse: highest version first).
 */
export interface VersionRow {
  version: number;
  isApplied: boolean;
  appliedAt: Date | null;
}

export type MigrationState = 'applied' | 'pending' | 'missing';

/** One row of `status`: a file, an applied version without a file, or both. */
export interface StatusRow {
  target: string;
  version: number;
  /** File name; for `missing` rows, null. */
  file: string | null;
  state: MigrationState;
  appliedAt: Date | null;
}
