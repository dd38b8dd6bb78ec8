import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { parse as parseDotenv } from 'dotenv';

import { ConfigError } from '../errors.ts';
import type { UserConfig } from './define.ts';
import type { ConfigFile } from './file.ts';
import type { Env } from './types.ts';

/**
 * Reading the raw sources of the configuration (the project's `.env`, the config file's values)
 * and the small value tests load.ts applies to them. Problems are collected, never thrown one by one.
 */

/** The config file's keys; `satisfies` keeps them and `UserConfig` the same set. */
const FILE_KEYS = new Set(
  Object.keys({
    postgresDir: true,
    clickhouseDir: true,
    clickhouseCluster: true,
    clickhouseTypesDir: true,
    clickhouseGoDir: true,
    clickhouseGoPackage: true,
    table: true,
    sqlcConfig: true,
    prismaSchema: true,
    debounceMs: true,
    toolTimeoutMs: true,
    lockTimeoutMs: true,
    port: true,
    host: true,
    poll: true,
    redo: true,
    followBranch: true,
    logFormat: true,
    logLevel: true,
  } satisfies Record<keyof UserConfig, true>),
);

/**
 * The config file's values: unknown keys are problems, and `fromFile(key, type)` gives a key's
 * value when it has the type asked for (a problem otherwise).
 */
export function fileValues(cwd: string, file: ConfigFile | undefined, problems: string[]) {
  const fileName = file ? path.relative(cwd, file.file) || file.file : undefined;
  const values = file?.values ?? {};
  for (const key of Object.keys(values)) {
    if (!FILE_KEYS.has(key)) problems.push(`${fileName}: unknown key "${key}" (known: ${[...FILE_KEYS].join(', ')})`);
  }
  const fromFile = <T extends 'string' | 'number' | 'boolean'>(key: string, type: T) => {
    const value = values[key];
    if (value === undefined) return undefined;
    if (typeof value !== type) {
      problems.push(`${fileName}: "${key}" must be a ${type} (got ${JSON.stringify(value)})`);
      return undefined;
    }
    return value as T extends 'string' ? string : T extends 'number' ? number : boolean;
  };
  return { fileName, fromFile };
}

/** The first defined value with its origin. */
export function pick<T>(choices: Array<[T | undefined, string]>): [T, string] | undefined {
  const found = choices.find(([value]) => value !== undefined);
  return found ? [found[0] as T, found[1]] : undefined;
}

export function readDotenv(cwd: string): Env {
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return {};
  try {
    return parseDotenv(readFileSync(file));
  } catch (error) {
    throw new ConfigError([`${file}: cannot read: ${(error as Error).message}`]);
  }
}

export function definedOnly(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
}

export function isUrl(text: string): boolean {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

export const isTrue = (value: string | undefined) => value !== undefined && /^(1|true|yes|on)$/i.test(value);
export const isFalse = (value: string | undefined) => value !== undefined && /^(0|false|no|off)$/i.test(value);
