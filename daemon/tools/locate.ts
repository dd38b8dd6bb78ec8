import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** Where to look for binaries; defaults to the real process environment. Injected by tests. */
export interface LocateEnv {
  PATH?: string;
  GOBIN?: string;
  GOPATH?: string;
  HOME?: string;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The directories searched for a Go tool such as sqlc or goose, in order: PATH, `$GOBIN`, each
 * `$GOPATH` entry's `bin`, then `~/go/bin` (where `go install` puts them by default, and which is
 * often not on PATH). Pure.
 */
export function searchDirectories(env: LocateEnv): string[] {
  const dirs = [
    ...(env.PATH ?? '').split(delimiter),
    env.GOBIN ?? '',
    ...(env.GOPATH ?? '').split(delimiter).map((entry) => (entry ? join(entry, 'bin') : '')),
    env.HOME ? join(env.HOME, 'go', 'bin') : '',
  ];
  return [...new Set(dirs.filter((dir) => dir !== '' && isAbsolute(dir)))];
}

/**
 * Finds an executable: `explicit` (from config; relative to `cwd`) when given, which must then
 * exist, else the first `name` in `searchDirectories(env)`. Returns an absolute path, or
 * undefined when there is none (the caller turns that into a ToolMissingError with its hint).
 */
export async function locateBinary(name: string, options: { explicit?: string | undefined; cwd?: string; env?: LocateEnv } = {}): Promise<string | undefined> {
  if (options.explicit) {
    const path = resolve(options.cwd ?? process.cwd(), options.explicit);
    return (await isExecutable(path)) ? path : undefined;
  }
  for (const dir of searchDirectories(options.env ?? process.env)) {
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The project's own Prisma CLI: the JS entry `prisma/build/index.js` as Node resolves it from
 * `projectRoot` (so the project's version runs, never a global one and never an `npx` download).
 * Run it as `process.execPath <entry> …`. Undefined when the project has no `prisma` package.
 */
export async function locatePrismaCli(projectRoot: string): Promise<string | undefined> {
  const require = createRequire(join(resolve(projectRoot), 'package.json'));
  try {
    return require.resolve('prisma/build/index.js');
  } catch {
    // Packages with an `exports` map can hide the file from resolve(); the .bin link remains.
    const bin = join(resolve(projectRoot), 'node_modules', '.bin', 'prisma');
    return (await isExecutable(bin)) ? bin : undefined;
  }
}
