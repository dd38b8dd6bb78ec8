import { realpathSync } from 'node:fs';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

import { contains } from '../util/paths.ts';
import { prismaGeneratorOutputs } from './project-files.ts';

/**
 * A Prisma schema as Prisma reads it: one file, or a multi-file schema folder (every `.prisma`
 * file below it, subfolders and symlinks included, as @prisma/schema-files-loader lists them).
 *
 * Everything that remembers or compares "the schema" (the Prisma step's memory, the own-write
 * filter, drift) works on one text: a single file's own text, and for a folder the text
 * `prisma db pull --print` prints for one (each file, sorted by path, under a `// <path>` line
 * relative to the project root). So a pulled folder and its print are the same text, as a pulled
 * schema.prisma and its print are.
 */

export interface PrismaSchemaFile {
  /** Absolute path, as Prisma builds it (the folder's path joined with the names below it; a symlink's real path). */
  path: string;
  text: string;
}

/** Whether a changed path is part of the schema: the schema file or folder itself, or a `.prisma` file inside the folder. */
export function isPrismaSchemaPath(schema: string, file: string): boolean {
  return file === schema || (file.endsWith('.prisma') && contains(schema, file));
}

/** The schema's files. A missing schema throws (ENOENT) as reading a missing file does. */
export async function readPrismaSchemaFiles(schema: string): Promise<PrismaSchemaFile[]> {
  if (!(await stat(schema)).isDirectory()) return [{ path: schema, text: await readFile(schema, 'utf8') }];
  const files: PrismaSchemaFile[] = [];
  const visit = async (entry: string): Promise<void> => {
    const link = await lstat(entry).catch(() => undefined);
    // As @prisma/schema-files-loader: a symlink is followed and its files named by their real path.
    if (link?.isSymbolicLink()) return visit(await realpath(entry));
    if (link?.isDirectory()) {
      for (const name of await readdir(entry)) await visit(path.join(entry, name));
    } else if (link?.isFile() && path.extname(entry) === '.prisma') {
      files.push({ path: entry, text: await readFile(entry, 'utf8') });
    }
  };
  await visit(schema);
  // The order of Prisma's print (printIntrospectedSchema).
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The schema as one text, as `prisma db pull --print` (run in `projectRoot`) prints it once its
 * final newline is trimmed: one file's text alone, several under a `// <path>` line each. Pure
 * but for resolving the root's real path (Prisma's `process.cwd()` is one).
 */
export function schemaText(files: PrismaSchemaFile[], projectRoot: string): string {
  if (files.length === 1) return files[0]!.text;
  const cwd = realRoot(projectRoot);
  return files
    .map((file) => `// ${sectionName(file.path, cwd)}\n${file.text}\n`)
    .join('')
    .replace(/\n$/, '');
}

/** `readPrismaSchemaFiles` then `schemaText`. */
export async function readSchemaText(schema: string, projectRoot: string): Promise<string> {
  return schemaText(await readPrismaSchemaFiles(schema), projectRoot);
}

/**
 * A schema text (`schemaText`, or a print) cut back into its files: path relative to the project
 * root (its real path, as in the text) → text.
 * A text without `// <path>` lines is one file: the folder's only one (`single`), or the schema file.
 */
export function schemaSections(text: string, schema: string, projectRoot: string, single: string = schema): Map<string, string> {
  const cwd = realRoot(projectRoot);
  const sections = new Map<string, string>();
  let current: string | undefined;
  let lines: string[] = [];
  const close = () => {
    if (current !== undefined) sections.set(current, lines.join('\n'));
  };
  for (const line of text.split('\n')) {
    const header = /^\/\/ (\S.*\.prisma)$/.exec(line);
    const file = header ? path.resolve(cwd, header[1]!) : undefined;
    if (file && (contains(schema, file) || contains(cwd, file))) {
      close();
      current = path.relative(cwd, file);
      lines = [];
      continue;
    }
    lines.push(line);
  }
  if (current === undefined) return new Map([[path.relative(cwd, single), text]]);
  close();
  return sections;
}

/** How a print names a file: relative to the project root's real path (Prisma's `process.cwd()`). */
export function sectionName(file: string, projectRoot: string): string {
  return path.relative(realRoot(projectRoot), file);
}

function realRoot(projectRoot: string): string {
  try {
    return realpathSync(projectRoot);
  } catch {
    return projectRoot;
  }
}

/** The generators' `output` folders across the schema's files (each resolved against its own file's folder, as Prisma does). */
export function schemaGeneratorOutputs(files: PrismaSchemaFile[]): Array<string | undefined> {
  return files.flatMap((file) => prismaGeneratorOutputs(file.text, file.path));
}

/** How log lines name the schema: `schema.prisma`, or the folder's project-relative path and a slash. */
export function schemaName(schema: string, projectRoot: string, files: PrismaSchemaFile[]): string {
  return files.length === 1 && files[0]!.path === schema ? path.basename(schema) : `${path.relative(projectRoot, schema)}/`;
}
