import type { ToolCommand } from '../../daemon/tools/run.ts';

/** The goose CLI, for tests and benchmarks that compare schemasync with the real thing. */
export interface GooseContext {
  /** Absolute path of the goose binary. */
  binary: string;
  /** The migrations folder. */
  dir: string;
  driver: 'postgres' | 'clickhouse';
  /** Connection string; goes in through GOOSE_DBSTRING so it never shows in a process list. */
  dbString: string;
  /** Version table name (goose's `-table`); goose's default when undefined. */
  table?: string | undefined;
}

export type GooseAction = { command: 'up' | 'down' | 'status' | 'version' | 'redo' | 'reset' } | { command: 'up-to' | 'down-to'; version: number | bigint };

export const GOOSE_INSTALL_HINT = 'install it with `go install github.com/pressly/goose/v3/cmd/goose@v3.27.3`.';

/**
 * `goose -dir D [-table T] up|down|…`. Driver and DB string travel in GOOSE_DRIVER and
 * GOOSE_DBSTRING, which goose reads when the positional arguments are absent.
 */
export function gooseCommand(ctx: GooseContext, action: GooseAction): ToolCommand {
  const target = 'version' in action ? [String(action.version)] : [];
  return {
    tool: 'goose',
    action: action.command,
    file: ctx.binary,
    args: ['-dir', ctx.dir, ...(ctx.table ? ['-table', ctx.table] : []), action.command, ...target],
    env: { GOOSE_DRIVER: ctx.driver, GOOSE_DBSTRING: ctx.dbString },
    installHint: GOOSE_INSTALL_HINT,
  };
}
