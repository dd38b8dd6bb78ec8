import { execFile } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { defaultLoaders, lilconfig, type Loader } from 'lilconfig';

import { ConfigError, isSchemasyncError, messageOf } from '../errors.ts';

/**
 * The only lilconfig (and jiti) user: reads the project's optional config file,
 * `schemasync.config.{ts,mts,cts,mjs,js,cjs,json}`, `.schemasyncrc.json` or the `schemasync` key
 * of package.json, in the project root only (a config further up belongs to another project).
 * Returns the raw object and where it came from; config/load.ts validates the keys with
 * everything else.
 */
export interface ConfigFile {
  file: string;
  values: Record<string, unknown>;
}

export const CONFIG_FILE_NAMES = [
  'package.json',
  'schemasync.config.ts',
  'schemasync.config.mts',
  'schemasync.config.cts',
  'schemasync.config.mjs',
  'schemasync.config.js',
  'schemasync.config.cjs',
  'schemasync.config.json',
  '.schemasyncrc.json',
];

export async function readConfigFile(root: string): Promise<ConfigFile | undefined> {
  const loaders = {
    ...defaultLoaders,
    ...Object.fromEntries(['.js', '.mjs', '.cjs'].map((extension) => [extension, loadJavaScript])),
    ...Object.fromEntries(['.ts', '.mts', '.cts'].map((extension) => [extension, loadTypeScript])),
  };
  const explorer = lilconfig('schemasync', {
    searchPlaces: CONFIG_FILE_NAMES,
    stopDir: root,
    loaders: Object.fromEntries(Object.entries(loaders).map(([extension, load]) => [extension, naming(load)])),
  });
  let result: Awaited<ReturnType<typeof explorer.search>>;
  try {
    result = await explorer.search(root);
  } catch (error) {
    if (isSchemasyncError(error)) throw error;
    throw new ConfigError([`cannot read the schemasync config file: ${messageOf(error).split('\n')[0]}`]);
  }
  if (!result || result.isEmpty) return undefined;
  const config: unknown = result.config;
  // `export default defineConfig({...})` and `module.exports = {...}` both arrive as the object.
  const values = (config as { default?: unknown } | null)?.default ?? config;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new ConfigError([`${result.filepath}: the config must be an object (got ${Array.isArray(values) ? 'an array' : typeof values})`]);
  }
  return { file: result.filepath, values: values as Record<string, unknown> };
}

/** A loader whose failure names the file, and the line and column when the loader knew them. */
function naming(load: Loader): Loader {
  return async (filepath, content) => {
    try {
      return (await load(filepath, content)) as unknown;
    } catch (error) {
      const lines = messageOf(error)
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      // jiti and Node put `file:line[:column]` on a line of its own (Node in a CommonJS stack).
      const stack = error instanceof Error ? (error.stack?.split('\n')[0] ?? '') : '';
      const at = [...lines, stack].find((line) => line.startsWith(filepath) && /^:\d/.test(line.slice(filepath.length))) ?? filepath;
      throw new ConfigError([`${at}: cannot load the schemasync config file: ${lines[0] ?? 'unknown error'}`]);
    }
  };
}

/**
 * JavaScript configs by Node's own import (CommonJS too). lilconfig's loader falls back to
 * require() when the import fails, and on Node 20.19 that hides a syntax error behind "Cannot
 * require() ES Module … not yet fully loaded".
 */
const loadJavaScript: Loader = async (filepath) => ((await import(pathToFileURL(filepath).href)) as { default?: unknown }).default;

/**
 * A TypeScript config, as Vite's or Prisma's: Node 20 cannot import `.ts`, so jiti transpiles it
 * (and what it imports, `defineConfig` from the installed schemasync included), in a one-off Node
 * child whose answer is the config as JSON: jiti and its compiler (~35 MB) never stay in the
 * daemon's memory. No shell: the script is ours, the file an argument.
 */
const loadTypeScript: Loader = async (filepath) => {
  try {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', TS_CONFIG_CHILD, import.meta.resolve('jiti'), filepath], {
      cwd: path.dirname(filepath),
      timeout: TS_CONFIG_TIMEOUT_MS,
      maxBuffer: 1024 * 1024,
    });
    return JSON.parse(stdout) as unknown;
  } catch (error) {
    const { stderr, killed } = error as { stderr?: string; killed?: boolean };
    if (killed) throw new Error(`it did not finish loading within ${TS_CONFIG_TIMEOUT_MS / 1000} s`);
    throw new Error(stderr?.trim() || messageOf(error));
  }
};

const TS_CONFIG_TIMEOUT_MS = 30_000;
const run = promisify(execFile);

/** argv: jiti's entry URL, the config file. Prints the default export as JSON, or the error's message. */
const TS_CONFIG_CHILD = `const [jiti, file] = process.argv.slice(1);
try {
  const { createJiti } = await import(jiti);
  const value = await createJiti(file, { moduleCache: false }).import(file, { default: true });
  process.stdout.write(JSON.stringify(value ?? null));
} catch (error) {
  process.stderr.write(String(error?.message ?? error));
  process.exitCode = 1;
}`;
