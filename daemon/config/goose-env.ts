import { DEFAULT_SPEC, gooseDriverTarget, TARGETS, targetSpec, type TargetName } from './targets.ts';
import type { Env } from './types.ts';

/**
 * goose's own variables: GOOSE_DRIVER says which target GOOSE_DBSTRING and GOOSE_MIGRATION_DIR
 * belong to (PostgreSQL when it is not set, as goose's examples assume). Problems and notices are
 * added to the lists given.
 */
export function gooseVariables(
  env: Env,
  problems: string[],
  notices: string[],
): { gooseTarget: TargetName; gooseDir: string | undefined; gooseDbstring: string | undefined } {
  const driver = gooseDriverTarget(env.GOOSE_DRIVER);
  if (driver === 'unsupported') problems.push(`GOOSE_DRIVER=${env.GOOSE_DRIVER} is not a schemasync target (${driverList()})`);
  const gooseTarget: TargetName = driver === 'unsupported' || driver === undefined ? DEFAULT_SPEC.name : driver;
  const gooseDir = env.GOOSE_MIGRATION_DIR || undefined;
  let gooseDbstring: string | undefined;
  if (env.GOOSE_DBSTRING && driver !== 'unsupported') {
    if (driver === undefined) notices.push(`GOOSE_DBSTRING is ignored: GOOSE_DRIVER is not set (set it to ${driverList(1)})`);
    else {
      const read = targetSpec(gooseTarget).gooseDbstring(env.GOOSE_DBSTRING);
      if ('url' in read) gooseDbstring = read.url;
      else problems.push(read.problem);
    }
  }
  return { gooseTarget, gooseDir, gooseDbstring };
}

/** `postgres, pgx or clickhouse`: the first `perTarget` driver names of each target. */
function driverList(perTarget = 2): string {
  const names = TARGETS.flatMap((spec) => spec.gooseDrivers.slice(0, perTarget));
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1)!}`;
}
