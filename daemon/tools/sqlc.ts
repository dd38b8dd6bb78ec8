import type { ToolCommand } from './run.ts';

/** What the sqlc commands need. */
export interface SqlcContext {
  /** Absolute path of the sqlc binary (see locateBinary). */
  binary: string;
  /** Absolute path of `sqlc.yaml`. */
  configFile: string;
}

/** The version the project is tested with (README, .ci/run): @latest could bring a different generator. */
export const SQLC_INSTALL_HINT =
  'install it with `go install github.com/sqlc-dev/sqlc/cmd/sqlc@v1.30.0` (the version schemasync is tested with) or set SQLC_BIN to its path.';

function sqlc(ctx: SqlcContext, action: string): ToolCommand {
  return {
    tool: 'sqlc',
    action,
    file: ctx.binary,
    args: ['-f', ctx.configFile, action],
    // sqlc generate works offline; its only network use is the opt-in cloud features.
    installHint: SQLC_INSTALL_HINT,
  };
}

/** `sqlc generate`: writes the code; fails (exit 1) listing every broken query. */
export function sqlcGenerate(ctx: SqlcContext): ToolCommand {
  return sqlc(ctx, 'generate');
}

/** `sqlc diff`: exit 1 and a diff on stdout when the generated code is out of date. */
export function sqlcDiff(ctx: SqlcContext): ToolCommand {
  return sqlc(ctx, 'diff');
}

/** `sqlc vet`: runs the config's lint rules. */
export function sqlcVet(ctx: SqlcContext): ToolCommand {
  return sqlc(ctx, 'vet');
}

/** `sqlc compile`: checks schema and queries without writing anything. */
export function sqlcCompile(ctx: SqlcContext): ToolCommand {
  return sqlc(ctx, 'compile');
}

export interface SqlcError {
  /** As sqlc prints it: relative to the directory of sqlc.yaml. */
  file: string;
  line: number;
  column?: number;
  message: string;
}

// sqlc 1.30: "queries/users.sql:12:8: column \"x\" does not exist" (column sometimes absent).
const LOCATED = /^(?<file>[^\s:][^:]*\.sql):(?<line>\d+)(?::(?<column>\d+))?: (?<message>.+)$/;

/**
 * The located errors in sqlc's output (stderr), in order. Lines without a file and line (the
 * `# package database` header, config errors) are not errors of a query and are left out.
 */
export function parseSqlcErrors(output: string): SqlcError[] {
  const errors: SqlcError[] = [];
  for (const raw of output.split('\n')) {
    const match = LOCATED.exec(raw.trim());
    if (!match?.groups) continue;
    const { file, line, column, message } = match.groups;
    errors.push({
      file: file!,
      line: Number(line),
      ...(column ? { column: Number(column) } : {}),
      message: message!,
    });
  }
  return errors;
}
