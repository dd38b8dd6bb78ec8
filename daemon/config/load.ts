import { existsSync } from 'node:fs';
import path from 'node:path';

import { ConfigError } from '../errors.ts';
import { findPrismaSchema, findSqlcConfig, SQLC_CONFIG_NAMES } from './discover.ts';
import type { ConfigFile } from './file.ts';
import { DEFAULT_TABLE, loadTargets } from './load-targets.ts';

export { differentDatabases } from './load-targets.ts';
import { definedOnly, fileValues, isFalse, isTrue, pick, readDotenv } from './sources.ts';
import type { Config, ConfigFlags, Env, Origins } from './types.ts';

export type { ConfigFlags, Env, Origins } from './types.ts';

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
  clickhouseTypesDir: 'generated/clickhouse',
  table: DEFAULT_TABLE,
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
export function loadConfig(options: {
  cwd: string;
  env: Env;
  flags: ConfigFlags;
  file?: ConfigFile | undefined;
  /** false: the command opens no database (`create`, `init`), so a target chosen by name needs no URL. */
  needsDatabase?: boolean;
}): LoadedConfig {
  const { cwd, flags } = options;
  const env = { ...readDotenv(cwd), ...definedOnly(options.env) };
  const problems: string[] = [];
  const notices: string[] = [];
  const { fileName, fromFile } = fileValues(cwd, options.file, problems);
  const str = (value: number | undefined) => (value === undefined ? undefined : String(value));

  const { targets, defaultTarget, settings, origins } = loadTargets({
    cwd,
    env,
    flags,
    fromFile,
    fileName,
    problems,
    notices,
    needsDatabase: options.needsDatabase !== false,
  });

  const cluster = flags.clickhouseCluster ?? (env.CLICKHOUSE_CLUSTER || undefined) ?? fromFile('clickhouseCluster', 'string');
  if (cluster && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(cluster))
    problems.push(
      `--clickhouse-cluster / clickhouseCluster / CLICKHOUSE_CLUSTER must be a cluster name from remote_servers (letters, digits, _), got "${cluster}"`,
    );

  const number = (label: string, raw: string | undefined, fallback: number, min = 0) => wholeNumber(problems, label, raw, fallback, min);
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
    env.SCHEMASYNC_LOCK_TIMEOUT_MS ?? str(fromFile('lockTimeoutMs', 'number')),
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
  const clickhouseTypes = clickhouseTypesConfig(cwd, fromFile, problems);

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    env,
    notices,
    ...(options.file ? { configFile: options.file.file } : {}),
    origins: { ...origins, sqlcConfig: sqlcOrigin, prismaSchema: prismaOrigin },
    config: {
      projectRoot: cwd,
      ...settings,
      clickhouse: { ...settings.clickhouse, cluster },
      clickhouseTypes,
      targets,
      defaultTarget,
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

/** A setting that must be a whole number ≥ `min`; a wrong one is a problem, and the fallback stands in meanwhile. */
function wholeNumber(problems: string[], label: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    problems.push(`${label} must be a whole number ≥ ${min} (got "${raw}")`);
    return fallback;
  }
  return value;
}

/** The sqlc config names sqlc looks for, so the daemon can watch for one appearing. */
export const sqlcConfigCandidates = (root: string) => SQLC_CONFIG_NAMES.map((name) => path.join(root, name));

/** The ClickHouse types step's folders: TypeScript always, Go when a folder is named. */
function clickhouseTypesConfig(cwd: string, fromFile: ReturnType<typeof fileValues>['fromFile'], problems: string[]): Config['clickhouseTypes'] {
  const [tsDir, goDir, goPackage] = (['clickhouseTypesDir', 'clickhouseGoDir', 'clickhouseGoPackage'] as const).map((key) => fromFile(key, 'string'));
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
