import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { parse as parseDotenv } from 'dotenv';

import { ConfigError } from '../errors.ts';
import type { TargetName } from '../targets/target.ts';
import type { Config } from './types.ts';

/** Options that can come from the command line; each overrides its environment variable. */
export interface ConfigFlags {
  dir?: string;
  postgresDir?: string;
  clickhouseDir?: string;
  databaseUrl?: string;
  clickhouseUrl?: string;
  target?: string;
  table?: string;
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

export type Env = Record<string, string | undefined>;

export interface LoadedConfig {
  config: Config;
  /** process.env over `.env`: what migrations see under ENVSUB and what tools inherit. */
  env: Env;
  /** One-line notices to log once (e.g. a target that is off). */
  notices: string[];
}

/** The defaults of the seed layout, in one place. */
export const DEFAULTS = {
  postgresDir: 'migrations/postgres',
  clickhouseDir: 'migrations/clickhouse',
  table: 'goose_db_version',
  prismaSchema: 'prisma/schema.prisma',
  prismaConfig: 'prisma.config.ts',
  sqlcConfig: 'sqlc.yaml',
  debounceMs: 150,
  toolTimeoutMs: 120_000,
  lockTimeoutMs: 5 * 60_000,
  logLevel: 'info',
} as const;

/**
 * Builds the configuration from flags, the environment and the project's `.env` (which, like
 * goose's, never overrides variables already set), validating everything at once so the user
 * sees every problem in one go.
 */
export function loadConfig(options: { cwd: string; env: Env; flags: ConfigFlags; stdoutIsTTY: boolean }): LoadedConfig {
  const { cwd, flags } = options;
  const env = { ...readDotenv(cwd), ...definedOnly(options.env) };
  const problems: string[] = [];
  const notices: string[] = [];

  const target = flags.target ?? 'all';
  if (!['postgres', 'clickhouse', 'all'].includes(target)) {
    problems.push(`--target must be postgres, clickhouse or all (got "${target}")`);
  }
  if (flags.dir !== undefined && target === 'all' && (flags.postgresDir || flags.clickhouseDir)) {
    problems.push('--dir names the folder of the one target chosen with --target; use --postgres-dir / --clickhouse-dir');
  }
  const dirFor = (name: TargetName, explicit: string | undefined, fallback: string) =>
    path.resolve(cwd, explicit ?? (flags.dir !== undefined && (target === name || (name === 'postgres' && target === 'all')) ? flags.dir : fallback));

  const databaseUrl = flags.databaseUrl ?? env.DATABASE_URL;
  const clickhouseUrl = flags.clickhouseUrl ?? env.CLICKHOUSE_URL;
  for (const [name, url] of [
    ['DATABASE_URL', databaseUrl],
    ['CLICKHOUSE_URL', clickhouseUrl],
  ] as const) {
    if (url && !isUrl(url))
      problems.push(
        `${name} is not a URL (expected e.g. ${name === 'DATABASE_URL' ? 'postgres://user:password@host:5432/db' : 'http://user:password@host:8123/db'})`,
      );
  }
  const table = flags.table ?? env.GOOSE_TABLE ?? DEFAULTS.table;

  const clickhouse = { url: clickhouseUrl || undefined, dir: dirFor('clickhouse', flags.clickhouseDir, DEFAULTS.clickhouseDir), table };
  let targets: TargetName[] = target === 'all' ? ['postgres', 'clickhouse'] : [target as TargetName];
  if (!clickhouse.url) {
    if (target === 'clickhouse') problems.push('--target clickhouse needs CLICKHOUSE_URL (environment or .env), e.g. http://default:@localhost:8123/default');
    else notices.push('ClickHouse target is off: CLICKHOUSE_URL is not set');
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
  const toolTimeoutMs = number('--tool-timeout / SCHEMASYNC_TOOL_TIMEOUT_MS', flags.toolTimeout ?? env.SCHEMASYNC_TOOL_TIMEOUT_MS, DEFAULTS.toolTimeoutMs, 1);
  const portRaw = flags.port ?? env.SCHEMASYNC_PORT;
  const port = portRaw === undefined || portRaw === '' ? undefined : number('--port / SCHEMASYNC_PORT', portRaw, 0);
  if (port !== undefined && port > 65535) problems.push(`--port must be at most 65535 (got ${port})`);

  const logFormat = flags.logFormat ?? env.LOG_FORMAT ?? (options.stdoutIsTTY ? 'pretty' : 'json');
  if (logFormat !== 'pretty' && logFormat !== 'json') problems.push(`--log-format must be pretty or json (got "${logFormat}")`);
  const logLevel = (flags.logLevel ?? env.LOG_LEVEL ?? DEFAULTS.logLevel).toLowerCase();
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent (got "${logLevel}")`);
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const prismaConfig = path.resolve(cwd, DEFAULTS.prismaConfig);
  return {
    env,
    notices,
    config: {
      projectRoot: cwd,
      postgres: { url: databaseUrl || undefined, dir: dirFor('postgres', flags.postgresDir, DEFAULTS.postgresDir), table },
      clickhouse,
      targets,
      allowMissing: flags.allowMissing ?? false,
      prisma: {
        schema: path.resolve(cwd, DEFAULTS.prismaSchema),
        configFile: existsSync(prismaConfig) ? prismaConfig : undefined,
        timeoutMs: toolTimeoutMs,
      },
      sqlc: { configFile: path.resolve(cwd, DEFAULTS.sqlcConfig), binary: env.SQLC_BIN || undefined, timeoutMs: toolTimeoutMs },
      watch: {
        debounceMs: number('--debounce / SCHEMASYNC_DEBOUNCE_MS', flags.debounce ?? env.SCHEMASYNC_DEBOUNCE_MS, DEFAULTS.debounceMs),
        // CHOKIDAR_USEPOLLING is what other watchers in a docker-compose setup already use.
        poll: flags.poll ?? (isTrue(env.SCHEMASYNC_POLL) || isTrue(env.CHOKIDAR_USEPOLLING)),
        redo: flags.redo ?? !isFalse(env.SCHEMASYNC_REDO),
        shadow: flags.shadow ?? false,
        followBranch: flags.followBranch ?? isTrue(env.SCHEMASYNC_FOLLOW_BRANCH),
      },
      port,
      host: flags.host ?? env.SCHEMASYNC_HOST ?? '127.0.0.1',
      log: { level: logLevel, format: logFormat as 'pretty' | 'json' },
      lockTimeoutMs: number('--lock-timeout / SCHEMASYNC_LOCK_TIMEOUT_MS', flags.lockTimeout ?? env.SCHEMASYNC_LOCK_TIMEOUT_MS, DEFAULTS.lockTimeoutMs, 1),
    },
  };
}

function readDotenv(cwd: string): Env {
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return {};
  try {
    return parseDotenv(readFileSync(file));
  } catch (error) {
    throw new ConfigError([`${file}: cannot read: ${(error as Error).message}`]);
  }
}

function definedOnly(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
}

function isUrl(text: string): boolean {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

const isTrue = (value: string | undefined) => value !== undefined && /^(1|true|yes|on)$/i.test(value);
const isFalse = (value: string | undefined) => value !== undefined && /^(0|false|no|off)$/i.test(value);
