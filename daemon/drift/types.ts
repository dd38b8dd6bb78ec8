/**
 * A drift finding: one thing that no longer follows the migrations, said as a sentence a
 * developer understands, with how to fix it. Checks return findings; they never log.
 */
export type DriftKind =
  | 'migration-pending' // a file not applied yet
  | 'migration-file-missing' // an applied version whose file is gone
  | 'migration-orphan' // an applied version whose file is on another branch (left by a git switch)
  | 'migration-out-of-order' // an unapplied file older than the newest applied one
  | 'migration-edited' // a file edited after it was applied
  | 'migration-order' // file names sort differently from their versions (sqlc reads alphabetically)
  | 'schema' // the live database differs from the migrations applied to a shadow database
  | 'rollback' // a Down fails or does not restore the schema
  | 'prisma-schema' // schema.prisma differs from what db pull gives for the live database
  | 'prisma-unpulled' // the same, after the database changed since schema.prisma was last pulled
  | 'prisma-client' // the generated client is older than schema.prisma
  | 'sqlc-code' // the generated Go code differs from what sqlc would generate
  | 'clickhouse-types-edited' // a generated ClickHouse types file was edited by hand
  | 'clickhouse-types-stale' // a generated ClickHouse types file is older than the ClickHouse schema (or missing)
  | 'sqlc-query'; // a query no longer compiles against the schema

export interface Finding {
  kind: DriftKind;
  /** postgres / clickhouse, when the finding belongs to one target. */
  target?: string;
  /** Stable identity across runs (watch mode logs a finding once and when it is resolved). */
  key: string;
  /** One sentence: "column users.nickname text exists in the database, but no migration creates it". */
  message: string;
  /** How to fix it. */
  hint: string;
  /** Project-relative file and line, where there is one. */
  file?: string;
  line?: number;
  /** Extra lines (a short diff), printed indented. */
  detail?: string;
}

/** A check that could not run (connection, missing tool, no permission to create a database). */
export interface Unchecked {
  check: string;
  reason: string;
  /**
   * Skipped on purpose, not a failure to check: the role may not create the shadow database.
   * Said in the report, but it does not make `verify` exit 2.
   */
  skipped?: boolean;
}

export interface DriftReport {
  findings: Finding[];
  unchecked: Unchecked[];
  /** The checks that ran completely (`migrations:postgres`, `shadow:postgres`, `prisma`, `sqlc`), when known: the verdict names only these. */
  checked?: string[];
}
