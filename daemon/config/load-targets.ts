import path from 'node:path';

import { gooseVariables } from './goose-env.ts';
import { isUrl, pick, type fileValues } from './sources.ts';
import { dirFlag, dirKey, offNotice, TARGET_NAMES, TARGETS, type TargetName } from './targets.ts';
import type { ConfigFlags, Env, Origins, TargetSettings } from './types.ts';

/** The table every target's version rows live in when nothing names another (goose's). */
export const DEFAULT_TABLE = 'goose_db_version';

/**
 * Each registered target's settings (URL, folder, version table), which targets are on, and
 * where each setting came from, with the same precedence as every setting (load.ts): flags, the
 * environment (goose's variables included), the config file, the defaults. Problems and
 * notices are added to the lists given.
 */
export function loadTargets(input: {
  cwd: string;
  env: Env;
  flags: ConfigFlags;
  fromFile: ReturnType<typeof fileValues>['fromFile'];
  fileName: string | undefined;
  problems: string[];
  notices: string[];
  /** false: the command opens no database (`create`, `init`), so a target chosen by name needs no URL. */
  needsDatabase: boolean;
}): { targets: TargetName[]; defaultTarget: TargetName; settings: Record<TargetName, TargetSettings>; origins: Omit<Origins, 'sqlcConfig' | 'prismaSchema'> } {
  const { env, flags, fromFile, problems, notices } = input;
  const target = flags.target ?? 'all';
  if (![...TARGET_NAMES, 'all'].includes(target)) {
    problems.push(`--target must be ${TARGET_NAMES.join(', ')} or all (got "${target}")`);
  }
  if (flags.dir !== undefined && target === 'all' && TARGET_NAMES.some((name) => flags[dirKey(name)])) {
    problems.push(`--dir names the folder of the one target chosen with --target; use ${TARGET_NAMES.map(dirFlag).join(' / ')}`);
  }

  const { gooseTarget, gooseDir, gooseDbstring } = gooseVariables(env, problems, notices);
  // Without --target, --dir and `create` mean goose's target (the one GOOSE_DRIVER names).
  const defaultTarget = target !== 'all' && TARGET_NAMES.includes(target as TargetName) ? (target as TargetName) : gooseTarget;

  const dirOrigin = (name: TargetName, fallback: string): [string, string] => {
    const explicit = flags[dirKey(name)];
    if (explicit !== undefined) return [explicit, dirFlag(name)];
    if (flags.dir !== undefined && name === defaultTarget) return [flags.dir, '--dir'];
    if (gooseDir && gooseTarget === name) return [gooseDir, 'GOOSE_MIGRATION_DIR'];
    const inFile = fromFile(dirKey(name), 'string');
    if (inFile !== undefined) return [inFile, input.fileName!];
    return [fallback, 'default'];
  };
  const urlOrigin = (spec: (typeof TARGETS)[number]): [string | undefined, string] =>
    pick<string>([
      [flags[spec.urlOption], spec.urlFlag],
      [env[spec.urlEnv] || undefined, spec.urlEnv],
      [gooseTarget === spec.name ? gooseDbstring : undefined, 'GOOSE_DBSTRING'],
    ]) ?? [undefined, spec.embedded ? 'embedded' : 'default'];
  const table = flags.table ?? (env.GOOSE_TABLE || undefined) ?? fromFile('table', 'string') ?? DEFAULT_TABLE;

  const origins: Partial<Origins> = {};
  const settings = {} as Record<TargetName, TargetSettings>;
  let targets: TargetName[] = target === 'all' ? [...TARGET_NAMES] : [target as TargetName];
  for (const spec of TARGETS) {
    const [dir, dirFrom] = dirOrigin(spec.name, spec.defaultDir);
    const [url, urlFrom] = urlOrigin(spec);
    origins[dirKey(spec.name)] = dirFrom;
    origins[`${spec.name}Url`] = urlFrom;
    settings[spec.name] = { url, dir: path.resolve(input.cwd, dir), table };
    // The types target's own variable and goose's naming two databases: Prisma would read one, goose the other.
    const apart =
      spec.feedsTypes && env[spec.urlEnv] && gooseTarget === spec.name && gooseDbstring ? differentDatabases(env[spec.urlEnv]!, gooseDbstring) : undefined;
    if (apart)
      notices.push(
        `${spec.urlEnv} (${apart[0]}) and GOOSE_DBSTRING (${apart[1]}) name different databases: schemasync${flags[spec.urlOption] ? '' : ' and Prisma'} use ${spec.urlEnv}, the goose CLI would use GOOSE_DBSTRING; make them agree`,
      );
    if (url && !isUrl(url)) problems.push(`${spec.urlEnv} is not a URL (expected e.g. ${spec.urlExample})`);
    if (url || spec.embedded) continue;
    // A target without a URL is off; one chosen by name must have it (unless the command opens no database).
    if (target === spec.name && input.needsDatabase) problems.push(`--target ${spec.name} needs ${spec.urlEnv} (environment or .env), e.g. ${spec.urlExample}`);
    else if (target === 'all') notices.push(offNotice(spec));
    targets = targets.filter((t) => t !== spec.name);
  }
  return { targets, defaultTarget, settings, origins: origins as Omit<Origins, 'sqlcConfig' | 'prismaSchema'> };
}

/** host:port/database of each URL when they name different databases (passwords never shown), else undefined. */
export function differentDatabases(a: string, b: string): [string, string] | undefined {
  const where = (text: string) => {
    try {
      const url = new URL(text);
      const host = ['localhost', '127.0.0.1', '::1', '[::1]'].includes(url.hostname) ? 'localhost' : url.hostname;
      return `${url.username ? `${decodeURIComponent(url.username)}@` : ''}${host}:${url.port || '5432'}${url.pathname || '/'}`;
    } catch {
      return undefined;
    }
  };
  const [first, second] = [where(a), where(b)];
  return first && second && first !== second ? [first, second] : undefined;
}
