import { lilconfig } from 'lilconfig';

import { ConfigError } from '../errors.ts';

/**
 * The only lilconfig user: reads the project's optional config file, `schemasync.config.{mjs,js,
 * cjs,json}`, `.schemasyncrc.json` or the `schemasync` key of package.json, in the project root
 * only (a config further up belongs to another project). Returns the raw object and where it came
 * from; config/load.ts validates the keys with everything else.
 */
export interface ConfigFile {
  file: string;
  values: Record<string, unknown>;
}

export const CONFIG_FILE_NAMES = [
  'package.json',
  'schemasync.config.mjs',
  'schemasync.config.js',
  'schemasync.config.cjs',
  'schemasync.config.json',
  '.schemasyncrc.json',
];

export async function readConfigFile(root: string): Promise<ConfigFile | undefined> {
  const explorer = lilconfig('schemasync', { searchPlaces: CONFIG_FILE_NAMES, stopDir: root });
  let result: Awaited<ReturnType<typeof explorer.search>>;
  try {
    result = await explorer.search(root);
  } catch (error) {
    throw new ConfigError([`cannot read the schemasync config file: ${(error as Error).message.split('\n')[0]}`]);
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
