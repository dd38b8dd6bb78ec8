import type { TargetName } from './types.ts';
import { gooseDriverTarget, postgresDsnToUrl } from './discover.ts';
import type { Env } from './types.ts';

/**
 * goose's own variables: GOOSE_DRIVER says which target GOOSE_DBSTRING and GOOSE_MIGRATION_DIR
 * belong to. Problems and notices are added to the lists given.
 */
export function gooseVariables(
  env: Env,
  problems: string[],
  notices: string[],
): { gooseTarget: TargetName; gooseDir: string | undefined; gooseDbstring: string | undefined } {
  const driver = gooseDriverTarget(env.GOOSE_DRIVER);
  if (driver === 'unsupported') problems.push(`GOOSE_DRIVER=${env.GOOSE_DRIVER} is not a schemasync target (postgres, pgx or clickhouse)`);
  const gooseTarget: TargetName = driver === 'clickhouse' ? 'clickhouse' : 'postgres';
  const gooseDir = env.GOOSE_MIGRATION_DIR || undefined;
  let gooseDbstring: string | undefined;
  if (env.GOOSE_DBSTRING && driver !== 'unsupported') {
    if (driver === undefined) notices.push('GOOSE_DBSTRING is ignored: GOOSE_DRIVER is not set (set it to postgres or clickhouse)');
    else if (gooseTarget === 'postgres') {
      gooseDbstring = postgresDsnToUrl(env.GOOSE_DBSTRING);
      if (!gooseDbstring) problems.push('GOOSE_DBSTRING is neither a postgres:// URL nor a key=value connection string');
    } else if (/^https?:\/\//i.test(env.GOOSE_DBSTRING)) gooseDbstring = env.GOOSE_DBSTRING;
    else
      problems.push(
        'GOOSE_DBSTRING for clickhouse must be the HTTP interface (http://user:password@host:8123/db): schemasync speaks HTTP, not the native tcp:// protocol',
      );
  }
  return { gooseTarget, gooseDir, gooseDbstring };
}
