import path from 'node:path';

import { checksum } from '../migrations/checksum.ts';
import { schemaSections, sectionName, type PrismaSchemaFile } from '../tools/prisma-schema.ts';
import { schemaFileFindings, type GeneratedClient } from './prisma-findings.ts';
import type { Finding } from './types.ts';

/**
 * Prisma drift for a multi-file schema folder, each finding named by the file it is about: the
 * folder's files against what `prisma db pull --print` prints for them (one section per file),
 * and the generated client against the files. Pure.
 */

export interface SchemaFolder {
  /** Absolute path of the folder. */
  schema: string;
  projectRoot: string;
  files: PrismaSchemaFile[];
}

/**
 * One finding per file whose text is not what the pull prints for it: a hand edit, or a change of
 * the database not pulled yet. A file the pull would create (`introspected.prisma`) counts as empty
 * now; a file the pull does not print is one it would not touch.
 */
export function folderSchemaFindings(folder: SchemaFolder, printed: string, databaseChanged?: boolean): Finding[] {
  if (printed.trim() === '') return [];
  const current = new Map(folder.files.map((file) => [sectionName(file.path, folder.projectRoot), file.text]));
  const only = folder.files.length === 1 ? folder.files[0]!.path : path.join(folder.schema, 'schema.prisma');
  const pulled = schemaSections(printed, folder.schema, folder.projectRoot, only);
  return [...pulled].sort(([a], [b]) => a.localeCompare(b)).flatMap(([file, text]) => schemaFileFindings(file, current.get(file) ?? '', text, databaseChanged));
}

/**
 * Findings for clients missing or generated from other files. The client embeds the folder merged
 * into one schema (its files in the order the folder listed them, reformatted), so the comparison
 * is by top-level block, layout aside: the first file with a block the client lacks is named, or
 * the folder when the client has a block no file has any more. A client that embeds no schema is
 * compared through `generatedFrom` (schemasync's memory of the folder's text at its last generate).
 */
export function folderClientFindings(folder: SchemaFolder, text: string, clients: GeneratedClient[], generatedFrom?: string): Finding[] {
  const shownFolder = path.relative(folder.projectRoot, folder.schema);
  const findings: Finding[] = [];
  for (const client of clients) {
    const stale = (file: string, why: string): Finding => ({
      kind: 'prisma-client',
      key: `prisma-client:${client.output}`,
      file,
      message: `the Prisma client in ${client.output} ${why}`,
      hint: `run \`prisma generate\` (or \`schemasync sync\`) so the client matches ${shownFolder}/`,
    });
    if (!client.exists) {
      findings.push(stale(shownFolder, `has not been generated from ${shownFolder}/`));
    } else if (client.schema !== undefined) {
      const inClient = new Set(schemaBlocks(client.schema));
      const inFiles = new Set<string>();
      let changed: string | undefined;
      for (const file of folder.files) {
        for (const block of schemaBlocks(file.text)) {
          inFiles.add(block);
          if (!inClient.has(block)) changed ??= path.relative(folder.projectRoot, file.path);
        }
      }
      if (changed !== undefined) findings.push(stale(changed, `was generated from an older ${changed}`));
      else if ([...inClient].some((block) => !inFiles.has(block)))
        findings.push(stale(shownFolder, `has models or enums no file of ${shownFolder}/ has any more`));
    } else if (generatedFrom !== undefined && generatedFrom !== checksum(text)) {
      findings.push(stale(shownFolder, `was generated from older files of ${shownFolder}/`));
    }
  }
  return findings;
}

/**
 * A schema's top-level blocks (a model with the comments before it), each with its layout
 * folded (runs of blanks, blank lines; whitespace inside string literals kept), as Prisma's
 * formatter would leave it either way.
 */
export function schemaBlocks(text: string): string[] {
  const blocks: string[] = [];
  let lines: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/("(?:[^"\\]|\\.)*")|\s+/g, (match, quoted?: string) => quoted ?? ' ').trim();
    if (line === '') continue;
    lines.push(line);
    if (line === '}') {
      blocks.push(lines.join('\n'));
      lines = [];
    }
  }
  if (lines.length > 0) blocks.push(lines.join('\n'));
  return blocks;
}
