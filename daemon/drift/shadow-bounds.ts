/**
 * Keeps the shadow check inside its shadow database. On ClickHouse a database is a namespace
 * on the server, so a migration that names one (`INSERT INTO app.events`, `${APP_DB}.events`)
 * reaches the real data from a shadow session; on PostgreSQL only a connection the migration
 * opens itself can (dblink, postgres_fdw). Before anything runs in a shadow, every statement
 * the check would run is read (migrations/clickhouse-reach.ts, postgres-reach.ts): an ENVSUB
 * variable that holds the live database's name is given the shadow's name instead (names such
 * as `${CLICKHOUSE_DATABASE}.events` then stay in the shadow), and anything else that would
 * leave the shadow stops the check before its first statement. Pure.
 */
import type { Env } from '../config/load.ts';
import { TARGETS, type TargetName } from '../config/targets.ts';
import { clickhouseReach, type Reach, type ReachScope } from '../migrations/clickhouse-reach.ts';
import { parseMigration } from '../migrations/parse.ts';
import { postgresReach } from '../migrations/postgres-reach.ts';
import type { Direction, MigrationFile, Statement } from '../migrations/types.ts';
import type { ShadowBounds } from '../targets/target.ts';

/** Each target's reading of what a statement names beyond its own database. */
const REACH: Record<TargetName, typeof postgresReach> = { postgres: postgresReach, clickhouse: clickhouseReach };

/** The first statement that would leave the shadow: file, line, and what it names. */
export interface ShadowEscape {
  file: string;
  line: number;
  direction: Direction;
  what: string;
}

/**
 * The environment for the shadow run. ClickHouse: every variable whose value is the live
 * database's name gets the shadow's name. PostgreSQL needs none (a session cannot name another
 * database), and a schema that happens to share the database's name must keep it.
 */
export function shadowEnv(targetName: string, env: Env, bounds: ShadowBounds, shadow: string): Env {
  if (!TARGETS.some((spec) => spec.name === targetName && spec.databasesAreNamespaces)) return env;
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value === bounds.live ? shadow : value]));
}

/**
 * The first statement of `files` (each in the given directions, as the check will run them,
 * with `env`) that names something outside the shadow database `shadow`, or undefined. A
 * section that does not parse is left to the apply, which reports it where it fails.
 */
export function findShadowEscape(
  targetName: string,
  files: Array<{ file: MigrationFile; directions: Direction[] }>,
  env: Env,
  bounds: ShadowBounds,
  shadow: string,
): ShadowEscape | undefined {
  const scope: ReachScope = { database: shadow, databases: bounds.databases };
  const reach = REACH[targetName as TargetName];
  for (const { file, directions } of files) {
    for (const direction of directions) {
      let statements: Statement[];
      try {
        statements = parseMigration(file.text, direction, { file: file.path, env }).statements;
      } catch {
        continue;
      }
      for (const statement of statements) {
        const found: Reach | undefined = reach(statement.sql, scope)[0];
        if (found) return { file: file.path, line: lineOf(statement, found.offset), direction, what: found.what };
      }
    }
  }
  return undefined;
}

/** The sentence `verify` and the daemon show when the shadow check stops for an escape. */
export function escapeReason(targetName: string, escape: ShadowEscape, bounds: ShadowBounds): string {
  const live =
    escape.what === `database ${bounds.live}`
      ? `, the real database; write the name through an ENVSUB variable set to ${bounds.live} (it is given the shadow's name there), or leave tables unqualified`
      : '';
  return `${escape.file}:${escape.line} (${escape.direction}) names ${escape.what}${live}: a shadow run would reach beyond its own database, so no migration was run in the shadow and ${targetName} was not compared`;
}

/** The file line of `offset` in the statement's text. */
function lineOf(statement: Statement, offset: number): number {
  const index = statement.sql.slice(0, offset).split('\n').length - 1;
  return statement.lines[index] ?? statement.lines[0] ?? 1;
}
