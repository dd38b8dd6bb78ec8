import path from 'node:path';

import { parse as parseYaml } from 'yaml';

import { ConfigError } from '../errors.ts';

/**
 * The paths the postgresql `sql` blocks of a sqlc config (version 2; sqlc.yaml, sqlc.yml or
 * sqlc.json: YAML reads JSON too) name, resolved against its folder. Blocks of other engines
 * (mysql, sqlite) have nothing to do with the migrations schemasync applies. Pure.
 */
export interface SqlcPaths {
  schema: string[];
  queries: string[];
  /** The `gen.go.out` folders (and other plugins' `out`). */
  outputs: string[];
}

export function sqlcPaths(yamlText: string, configFile: string): SqlcPaths {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (error) {
    throw new ConfigError([`${configFile}: not valid ${configFile.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`]);
  }
  const base = path.dirname(configFile);
  const list = (value: unknown): string[] =>
    (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string').map((p) => path.resolve(base, p));
  const packages = ((doc as { sql?: unknown[] } | null)?.sql ?? []) as Array<Record<string, unknown>>;
  const paths: SqlcPaths = { schema: [], queries: [], outputs: [] };
  for (const pkg of packages) {
    if (typeof pkg?.engine === 'string' && pkg.engine !== 'postgresql') continue;
    paths.schema.push(...list(pkg.schema));
    paths.queries.push(...list(pkg.queries));
    for (const gen of Object.values((pkg.gen ?? {}) as Record<string, { out?: unknown }>)) paths.outputs.push(...list(gen?.out));
    for (const codegen of (pkg.codegen ?? []) as Array<{ out?: unknown }>) paths.outputs.push(...list(codegen?.out));
  }
  return paths;
}

/**
 * The `output` folders of a Prisma schema's generators, resolved against the schema's folder as
 * Prisma does. Generators without `output` write into node_modules (`@prisma/client`), which is
 * returned as undefined: the caller cannot tell whether it is current and generates.
 */
export function prismaGeneratorOutputs(schemaText: string, schemaFile: string): Array<string | undefined> {
  const outputs: Array<string | undefined> = [];
  for (const block of schemaText.matchAll(/^\s*generator\s+\w+\s*\{([\s\S]*?)^\s*\}/gm)) {
    const output = /^\s*output\s*=\s*"([^"]+)"/m.exec(block[1] ?? '');
    outputs.push(output ? path.resolve(path.dirname(schemaFile), output[1]!) : undefined);
  }
  return outputs;
}
