import { existsSync } from 'node:fs';
import path from 'node:path';

import { ConfigError } from '../errors.ts';
import { findPrismaSchema, findSqlcConfig, SQLC_CONFIG_NAMES } from './discover.ts';
import type { ConfigFile } from './file.ts';
import { gooseVariables } from './goose-env.ts';
import { definedOnly, fileValues, isFalse, isTrue, isUrl, pick, readDotenv } from './sources.ts';
import { TARGET_NAMES, type Config, type Env, type TargetName } from './types.ts';

/** Options that can come from the command line; each overrides its environment variable. */
export interface ConfigFlags {
  dir?: string;
  postgresDir?: string;
  clickhouseDir?: string;
  databaseUrl?: string;
  clickhouseUrl?: string;
  clickhouseCluster?: string;
  target?: string;
  table?: string;
  sqlcConfig?: string;
  prismaSchema?: string;
  allowMissing?: boolean;
  poll?: boolean;
  debounce?: string;
  port?: string;
  host?: string;
  logFormat?: string;
  logLevel?: string;
  redo?: boolean;
  shadow?: boolean;
  followBranch?: boolean;
  toolTimeout?: string;
  lockTimeout?: string;
}

export type { Env } from './types.ts';

/** Where a setting came from, for the start-up summary and hints: `--flag`, a variable, the config file, a discovered file, or `default`. */
export interface Origins {
  postgresUrl: string;
  postgresDir: string;
  clickhouseDir: string;
  sqlcConfig: string;
  prismaSchema: string;
}

export interface LoadedConfig {
  config: Config;
  /** process.env over `.env`: what migrations see under ENVSUB and what tools inherit. */
  env: Env;
  /** One-line notices for the start-up summary (e.g. a target that is off, and why). */
  notices: string[];
  /** Where each discovered setting came from. */
  origins?: Origins;
  /** The config file read, if any. */
  configFile?: string;
}

/** The defaults of the seed layout, in one place. */
export const DEFAULTS = {
  postgresDir: 'migrations/postgres',
  clickhouseDir: 'migrations/clickhouse',
  clickhouseTypesDir: 'generated/clickhouse',
  table: 'goose_db_version',
  prismaSchema: 'prisma/schema.prisma',
  sqlcConfig: 'sqlc.yaml',
  debounceMs: 150,
  toolTimeoutMs: 120_000,
  lockTimeoutMs: 5 * 60_000,
  logLevel: 'info',
} as const;

/**
 * Builds the configuration. Precedence, for every setting: flags, then the environment (with the
 * project's `.env` under it, as goose reads it: never overriding a variable already set), then
 * the config file, then what discovery found by each tool's own rules, then the defaults. Every
 * value is checked before anything is thrown, so the user sees every problem in one message.
 */
export function loadConfig(options: { cwd: string; env: Env; flags: ConfigFlags; file?: ConfigFile | undefined }): LoadedConfig {
  const { cwd, flags } = options;
  const env = { ...readDotenv(cwd), ...definedOnly(options.env) };
  const problems: string[] = [];
  const notices: string[] = [];
  const { fileName, fromFile } = fileValues(cwd, options.file, problems);
  const str = (value: number | undefined) => (value === undefined ? undefined : String(value));

  const target = flags.target ?? 'all';
  if (![...TARGET_NAMES, 'all'].includes(target)) {
    problems.push(`--target must be postgres, clickhouse or all (got "${target}")`);
  }
  if (flags.dir !== undefined && target === 'all' && (flags.postgresDir || flags.clickhouseDir)) {
    problems.push('--dir names the folder of the one target chosen with --target; use --postgres-dir / --clickhouse-dir');
  }

  const { gooseTarget, gooseDir, gooseDbstring } = gooseVariables(env, problems, notices);

  const dirOrigin = (name: TargetName, explicit: string | undefined, flagName: string, fileKey: string, fallback: string): [string, string] => {
    if (explicit !== undefined) return [explicit, flagName];
    if (flags.dir !== undefined && (target === name || (name === 'postgres' && target === 'all'))) return [flags.dir, '--dir'];
    if (gooseDir && gooseTarget === name) return [gooseDir, 'GOOSE_MIGRATION_DIR'];
    const inFile = fromFile(fileKey, 'string');
    if (inFile !== undefined) return [inFile, fileName!];
    return [fallback, 'default'];
  };
  const [postgresDir, postgresDirOrigin] = dirOrigin('postgres', flags.postgresDir, '--postgres-dir', 'postgresDir', DEFAULTS.postgresDir);
  const [clickhouseDir, clickhouseDirOrigin] = dirOrigin('clickhouse', flags.clickhouseDir, '--clickhouse-dir', 'clickhouseDir', DEFAULTS.clickhouseDir);

  const [databaseUrl, postgresUrlOrigin] = pick<string>([
    [flags.databaseUrl, '--database-url'],
    [env.DATABASE_URL || undefined, 'DATABASE_URL'],
    [gooseTarget === 'postgres' ? gooseDbstring : undefined, 'GOOSE_DBSTRING'],
  ]) ?? [undefined, 'embedded'];
  const clickhouseUrl = flags.clickhouseUrl ?? (env.CLICKHOUSE_URL || undefined) ?? (gooseTarget === 'clickhouse' ? gooseDbstring : undefined);
  const apart = env.DATABASE_URL && gooseTarget === 'postgres' && gooseDbstring ? differentDatabases(env.DATABASE_URL, gooseDbstring) : undefined;
  if (apart)
    notices.push(
      `DATABASE_URL (${apart[0]}) and GOOSE_DBSTRING (${apart[1]}) name different databases: schemasync${flags.databaseUrl ? '' : ' and Prisma'} use DATABASE_URL, the goose CLI would use GOOSE_DBSTRING; make them agree`,
    );
  for (const [name, url] of [
    ['DATABASE_URL', databaseUrl],
    ['CLICKHOUSE_URL', clickhouseUrl],
  ] as const) {
    if (url && !isUrl(url))
      problems.push(
        `${name} is not a URL (expected e.g. ${name === 'DATABASE_URL' ? 'postgres://user:password@host:5432/db' : 'http://user:password@host:8123/db'})`,
      );
  }
  const table = flags.table ?? (env.GOOSE_TABLE || undefined) ?? fromFile('table', 'string') ?? DEFAULTS.table;

  const cluster = flags.clickhouseCluster ?? (env.CLICKHOUSE_CLUSTER || undefined) ?? fromFile('clickhouseCluster', 'string');
  if (cluster && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(cluster))
    problems.push(
      `--clickhouse-cluster / clickhouseCluster / CLICKHOUSE_CLUSTER must be a cluster name from remote_servers (letters, digits, _), got "${cluster}"`,
    );

  let targets: TargetName[] = target === 'all' ? [...TARGET_NAMES] : [target as TargetName];
  if (!clickhouseUrl) {
    if (target === 'clickhouse') problems.push('--target clickhouse needs CLICKHOUSE_URL (environment or .env), e.g. http://default:@localhost:8123/default');
    else if (target === 'all') notices.push('ClickHouse target is off: CLICKHOUSE_URL is not set');
    targets = targets.filter((t) => t !== 'clickhouse');
  }

  const number = (label: string, raw: string | undefined, fallback: number, min = 0): number => {
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      problems.push(`${label} must be a whole number ≥ ${min} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const toolTimeoutMs = number(
    'tool timeout (--tool-timeout / SCHEMASYNC_TOOL_TIMEOUT_MS / toolTimeoutMs)',
    flags.toolTimeout ?? env.SCHEMASYNC_TOOL_TIMEOUT_MS ?? str(fromFile('toolTimeoutMs', 'number')),
    DEFAULTS.toolTimeoutMs,
    1,
  );
  const debounceMs = number(
    'debounce (--debounce / SCHEMASYNC_DEBOUNCE_MS / debounceMs)',
    flags.debounce ?? env.SCHEMASYNC_DEBOUNCE_MS ?? str(fromFile('debounceMs', 'number')),
    DEFAULTS.debounceMs,
  );
  // There is no --lock-timeout flag: the variable and the config key set it.
  const lockTimeoutMs = number(
    'lock timeout (SCHEMASYNC_LOCK_TIMEOUT_MS / lockTimeoutMs)',
    flags.lockTimeout ?? env.SCHEMASYNC_LOCK_TIMEOUT_MS ?? str(fromFile('lockTimeoutMs', 'number')),
    DEFAULTS.lockTimeoutMs,
    1,
  );
  const portRaw = flags.port ?? env.SCHEMASYNC_PORT ?? str(fromFile('port', 'number'));
  const port = portRaw === undefined || portRaw === '' ? undefined : number('port (--port / SCHEMASYNC_PORT / port)', portRaw, 0);
  if (port !== undefined && port > 65535) problems.push(`port (--port / SCHEMASYNC_PORT / port) must be at most 65535 (got ${port})`);

  const logFormat = flags.logFormat ?? (env.LOG_FORMAT || undefined) ?? fromFile('logFormat', 'string') ?? 'pretty';
  if (logFormat !== 'pretty' && logFormat !== 'json')
    problems.push(`log format (--log-format / LOG_FORMAT / logFormat) must be pretty or json (got "${logFormat}")`);
  const logLevel = (flags.logLevel ?? (env.LOG_LEVEL || undefined) ?? fromFile('logLevel', 'string') ?? DEFAULTS.logLevel).toLowerCase();
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(logLevel)) {
    problems.push(`log level (--log-level / LOG_LEVEL / logLevel) must be one of trace, debug, info, warn, error, fatal, silent (got "${logLevel}")`);
  }

  // sqlc: a configured file, else the one sqlc itself would find in the project root.
  const [sqlcConfig, sqlcOrigin] = pick<string>([
    [flags.sqlcConfig, '--sqlc-config'],
    [env.SCHEMASYNC_SQLC_CONFIG || undefined, 'SCHEMASYNC_SQLC_CONFIG'],
    [fromFile('sqlcConfig', 'string'), fileName ?? ''],
  ]) ?? [findSqlcConfig(cwd) ?? DEFAULTS.sqlcConfig, findSqlcConfig(cwd) ? 'found' : 'default'];
  if (sqlcOrigin !== 'found' && sqlcOrigin !== 'default' && !existsSync(path.resolve(cwd, sqlcConfig))) {
    problems.push(`sqlc config ${sqlcConfig} (from ${sqlcOrigin}) does not exist`);
  }

  // Prisma: a configured schema, else where Prisma itself resolves it.
  const prismaFound = findPrismaSchema(cwd);
  const [prismaSchema, prismaOrigin] = pick<string>([
    [flags.prismaSchema, '--prisma-schema'],
    [env.SCHEMASYNC_PRISMA_SCHEMA || undefined, 'SCHEMASYNC_PRISMA_SCHEMA'],
    [fromFile('prismaSchema', 'string'), fileName ?? ''],
  ]) ?? [prismaFound.schema, prismaFound.from];

  const poll = flags.poll ?? (isTrue(env.SCHEMASYNC_POLL) || isTrue(env.CHOKIDAR_USEPOLLING) || fromFile('poll', 'boolean') === true);
  const redo = flags.redo ?? (env.SCHEMASYNC_REDO !== undefined ? !isFalse(env.SCHEMASYNC_REDO) : (fromFile('redo', 'boolean') ?? true));
  const host = flags.host ?? (env.SCHEMASYNC_HOST || undefined) ?? fromFile('host', 'string') ?? '127.0.0.1';

  const clickhouseTypes = clickhouseTypesConfig(
    cwd,
    fromFile('clickhouseTypesDir', 'string'),
    fromFile('clickhouseGoDir', 'string'),
    fromFile('clickhouseGoPackage', 'string'),
    problems,
  );

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    env,
    notices,
    ...(options.file ? { configFile: options.file.file } : {}),
    origins: {
      postgresUrl: postgresUrlOrigin,
      postgresDir: postgresDirOrigin,
      clickhouseDir: clickhouseDirOrigin,
      sqlcConfig: sqlcOrigin,
      prismaSchema: prismaOrigin,
    },
    config: {
      projectRoot: cwd,
      postgres: { url: databaseUrl, dir: path.resolve(cwd, postgresDir), table },
      clickhouse: { url: clickhouseUrl, dir: path.resolve(cwd, clickhouseDir), table, cluster },
      clickhouseTypes,
      targets,
      allowMissing: flags.allowMissing ?? false,
      prisma: { schema: path.resolve(cwd, prismaSchema), configFile: prismaFound.configFile, timeoutMs: toolTimeoutMs },
      sqlc: { configFile: path.resolve(cwd, sqlcConfig), binary: env.SQLC_BIN || undefined, timeoutMs: toolTimeoutMs },
      watch: {
        debounceMs,
        poll,
        redo,
        shadow: flags.shadow ?? false,
        followBranch:
          flags.followBranch ??
          (env.SCHEMASYNC_FOLLOW_BRANCH !== undefined ? isTrue(env.SCHEMASYNC_FOLLOW_BRANCH) : fromFile('followBranch', 'boolean') === true),
      },
      port,
      host,
      log: { level: logLevel, format: logFormat as 'pretty' | 'json' },
      lockTimeoutMs,
    },
  };
}

/** The sqlc config names sqlc looks for, so the daemon can watch for one appearing. */
export const sqlcConfigCandidates = (root: string) => SQLC_CONFIG_NAMES.map((name) => path.join(root, name));

/** The ClickHouse types step's folders: TypeScript always, Go when a folder is named. */
function clickhouseTypesConfig(
  cwd: string,
  tsDir: string | undefined,
  goDir: string | undefined,
  goPackage: string | undefined,
  problems: string[],
): Config['clickhouseTypes'] {
  const packageName = goPackage ?? (goDir ? path.basename(path.resolve(cwd, goDir)) : undefined);
  if (goPackage !== undefined && !goDir) problems.push('clickhouseGoPackage is set but clickhouseGoDir is not: name the folder the Go structs go to');
  if (packageName !== undefined && !/^[a-z_][a-z0-9_]*$/.test(packageName)) {
    problems.push(
      `clickhouseGoPackage must be a Go package name (lower-case letters, digits, _), got "${packageName}"${goPackage ? '' : ' (from the folder name)'}`,
    );
  }
  return {
    dir: path.resolve(cwd, tsDir ?? DEFAULTS.clickhouseTypesDir),
    go: goDir && packageName ? { dir: path.resolve(cwd, goDir), packageName } : undefined,
  };
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
