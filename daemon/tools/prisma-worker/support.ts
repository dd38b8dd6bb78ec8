import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The packages the warm worker runs `db pull` and `generate` with: the ones the prisma CLI bundle
 * is built from. `@prisma/internals` is explicitly not a stable API, so each must be at exactly
 * the CLI's version; otherwise the CLI runs as before.
 */
export const WORKER_PACKAGES = ['@prisma/internals', '@prisma/migrate', '@prisma/client-generator-registry', '@prisma/config'] as const;

/** Prisma majors the worker knows the calls of. */
const SUPPORTED_MAJORS = [6, 7];

export type WarmSupport =
  | { ok: true; version: string }
  | {
      ok: false;
      /** Why the CLI runs instead, said once at start-up. */
      reason: string;
      /** The command that enables the worker, when installing packages is what it takes. */
      command?: string;
      /** The same as program and arguments, for `schemasync init` to run. */
      args?: [string, ...string[]];
    };

/**
 * Where Node would find `name` from `from` (node_modules of `from` and each parent), without
 * loading it: the package's `exports` may hide its package.json from require.resolve.
 */
export function findPackageDir(name: string, from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function versionAt(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

/** The project's package manager, by its lock file (npm when there is none). */
export function packageManager(projectRoot: string): PackageManager {
  for (let dir = path.resolve(projectRoot); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package-lock.json'))) return 'npm';
    if (existsSync(path.join(dir, 'pnpm-lock.yaml'))) return 'pnpm';
    if (existsSync(path.join(dir, 'yarn.lock'))) return 'yarn';
    if (existsSync(path.join(dir, 'bun.lock')) || existsSync(path.join(dir, 'bun.lockb'))) return 'bun';
    if (path.dirname(dir) === dir) return 'npm';
  }
}

const ADD_EXACT_DEV: Record<PackageManager, string[]> = {
  npm: ['install', '--save-dev', '--save-exact'],
  pnpm: ['add', '--save-dev', '--save-exact'],
  yarn: ['add', '--dev', '--exact'],
  bun: ['add', '--dev', '--exact'],
};

/** The command that adds the packages at the CLI's exact version, as program and arguments. Pure. */
export function enableArgs(version: string, names: readonly string[], manager: PackageManager = 'npm'): [string, ...string[]] {
  return [manager, ...ADD_EXACT_DEV[manager], ...names.map((name) => `${name}@${version}`)];
}

/** The same as one line to print. Pure. */
export function enableCommand(version: string, names: readonly string[], manager: PackageManager = 'npm'): string {
  return enableArgs(version, names, manager).join(' ');
}

/**
 * Whether the project at `projectRoot` can use the warm worker with the prisma CLI at `cli`
 * (`…/prisma/build/index.js`): its packages resolve from the project (never from schemasync's
 * own node_modules) at the CLI's exact version. What the config selects (engine, adapter,
 * generators) is checked by the worker itself once it has loaded it.
 */
export function checkWarmSupport(projectRoot: string, cli: string): WarmSupport {
  const version = versionAt(path.resolve(path.dirname(cli), '..'));
  if (!version) return { ok: false, reason: `cannot read the version of the prisma CLI at ${cli}` };
  const major = Number(version.split('.')[0]);
  if (!SUPPORTED_MAJORS.includes(major))
    return { ok: false, reason: `prisma ${version} is not a version the worker supports (${SUPPORTED_MAJORS.join('.x, ')}.x)` };
  const wrong: string[] = [];
  const found: string[] = [];
  for (const name of WORKER_PACKAGES) {
    const dir = findPackageDir(name, projectRoot);
    const at = dir ? versionAt(dir) : undefined;
    if (at === version) continue;
    wrong.push(name);
    found.push(at ? `${name} is ${at}` : `${name} is not installed`);
  }
  if (wrong.length > 0) {
    const args = enableArgs(version, wrong, packageManager(projectRoot));
    return { ok: false, reason: `${found.join(', ')} (prisma is ${version})`, command: args.join(' '), args };
  }
  return { ok: true, version };
}
