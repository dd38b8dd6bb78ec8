import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Every file under `dir` (recursively), by path relative to `base`, with its bytes as text. */
function collect(dir: string, base: string, into: Map<string, string>): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) collect(file, base, into);
    else into.set(path.relative(base, file), readFileSync(file, 'latin1'));
  }
}

/** What `db pull` and `generate` wrote in a project: schema.prisma and the generator output. */
export function prismaOutput(root: string, outputs: string[] = ['generated']): Map<string, string> {
  const files = new Map<string, string>();
  files.set('prisma/schema.prisma', readFileSync(path.join(root, 'prisma/schema.prisma'), 'latin1'));
  for (const output of outputs) collect(path.join(root, output), root, files);
  return files;
}

/** The files that differ between two outputs (missing on one side, or other bytes): [] when identical. */
export function differingFiles(expected: Map<string, string>, actual: Map<string, string>): string[] {
  const names = new Set([...expected.keys(), ...actual.keys()]);
  return [...names].filter((name) => expected.get(name) !== actual.get(name)).sort();
}

/** Every `.prisma` file of a schema folder, by path relative to `root`. */
export function prismaFolderOutput(root: string, folder = 'prisma/schema', outputs: string[] = ['generated']): Map<string, string> {
  const files = new Map<string, string>();
  collect(path.join(root, folder), root, files);
  for (const output of outputs) collect(path.join(root, output), root, files);
  return files;
}

/**
 * A pulled schema split as a developer splits one by domain: `schema.prisma` keeps the generator
 * and datasource, each model and enum goes to `<name>.prisma`. Returns file name → text.
 */
export function splitByBlock(text: string): Map<string, string> {
  const files = new Map<string, string>();
  let block: string[] = [];
  const flush = () => {
    const [, kind, name] = /^(?:\/\/\/.*\n)*(generator|datasource|model|enum|view|type) (\w+)/.exec(block.join('\n')) ?? [];
    if (kind && name) {
      const file = kind === 'generator' || kind === 'datasource' ? 'schema.prisma' : `${name}.prisma`;
      files.set(file, `${files.get(file) ?? ''}${files.has(file) ? '\n' : ''}${block.join('\n').trimEnd()}\n`);
    }
    block = [];
  };
  // A block starts at its `///` comments (or its keyword) after a blank line or the previous `}`.
  for (const line of text.split('\n')) {
    if (line === '' && (block.length === 0 || block.at(-1) === '}')) {
      if (block.length > 0) flush();
      continue;
    }
    block.push(line);
    if (line === '}') flush();
  }
  flush();
  return files;
}

/**
 * Turns a copy of the example project into one with a multi-file schema: prisma/schema.prisma
 * split by `splitByBlock` into prisma/schema/ (the generator's output one folder further up), and
 * prisma.config.ts naming the folder.
 */
export function splitIntoSchemaFolder(root: string): void {
  const single = path.join(root, 'prisma/schema.prisma');
  const folder = path.join(root, 'prisma/schema');
  mkdirSync(folder);
  for (const [name, text] of splitByBlock(readFileSync(single, 'utf8'))) {
    writeFileSync(path.join(folder, name), name === 'schema.prisma' ? text.replace('"../generated/prisma"', '"../../generated/prisma"') : text);
  }
  rmSync(single);
  const config = path.join(root, 'prisma.config.ts');
  writeFileSync(config, readFileSync(config, 'utf8').replace("schema: 'prisma/schema.prisma'", "schema: 'prisma/schema'"));
}
