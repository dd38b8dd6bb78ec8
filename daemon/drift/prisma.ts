import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { hasErrorCode, messageOf } from '../errors.ts';
import { checksum } from '../migrations/checksum.ts';
import { printedSchema, prismaPullPrint, type PrismaContext } from '../tools/prisma.ts';
import { readPrismaSchemaFiles, schemaGeneratorOutputs, schemaText, type PrismaSchemaFile } from '../tools/prisma-schema.ts';
import { runTool } from '../tools/run.ts';
import { lineDiff } from './diff.ts';
import { folderClientFindings, folderSchemaFindings } from './prisma-folder.ts';
import { schemaFileFindings, type GeneratedClient } from './prisma-findings.ts';
import type { DriftReport, Finding } from './types.ts';

export { schemaFileFindings, type GeneratedClient } from './prisma-findings.ts';

export interface PrismaDriftOptions {
  context: PrismaContext;
  projectRoot: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * What `prisma db pull --print` gives for the live database, when the caller already knows it
   * (watch mode keeps it per catalog fingerprint): the ~1 s pull is then skipped.
   */
  printed?: string;
  /** Hash of the schema.prisma text schemasync last generated the client from (state.json), used when the client does not embed its schema. */
  generatedFrom?: string;
  /**
   * Whether the PostgreSQL catalog changed since schema.prisma was last pulled (state.json's
   * fingerprint against the live one): true, a difference is a pull not done yet (`up` alone);
   * false, a hand edit; undefined, unknown (never pulled by schemasync).
   */
  databaseChanged?: boolean;
}

export interface PrismaDriftResult extends DriftReport {
  /** The introspected schema this check compared against (for the caller's cache); undefined when the pull failed. */
  printed?: string;
}

/**
 * Prisma drift: schema.prisma against what `prisma db pull --print` gives for the live database
 * (a hand edit the next pull would silently overwrite), and the generated client against
 * schema.prisma (a client generated from an older schema). Never throws for a tool or connection
 * failure: that becomes an `unchecked` entry.
 */
export async function checkPrisma(options: PrismaDriftOptions): Promise<PrismaDriftResult> {
  const { schema } = options.context;
  const file = path.relative(options.projectRoot, schema);
  const report: PrismaDriftResult = { findings: [], unchecked: [] };
  let files: PrismaSchemaFile[];
  try {
    files = await readPrismaSchemaFiles(schema);
  } catch (error) {
    report.unchecked.push({
      check: 'prisma',
      reason: `cannot read ${file}: ${messageOf(error)}`,
    });
    return report;
  }
  // A multi-file schema folder is compared file by file (prisma-folder.ts).
  const current = schemaText(files, options.projectRoot);
  const folder = files.length === 1 && files[0]!.path === schema ? undefined : { schema, projectRoot: options.projectRoot, files };

  let printed = options.printed;
  if (printed === undefined) {
    try {
      const result = await runTool(prismaPullPrint(options.context), {
        cwd: options.projectRoot,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
      });
      printed = printedSchema(result.stdout);
      if (printed.trim() === '') {
        report.unchecked.push({
          check: 'prisma-schema',
          reason: 'prisma db pull --print printed no schema',
        });
        printed = undefined;
      }
    } catch (error) {
      if (hasErrorCode(error, 'CANCELLED')) throw error;
      report.unchecked.push({
        check: 'prisma-schema',
        reason: `prisma db pull --print failed: ${messageOf(error)}`,
      });
    }
  }
  if (printed !== undefined) {
    report.printed = printed;
    report.findings.push(
      ...(folder ? folderSchemaFindings(folder, printed, options.databaseChanged) : prismaSchemaFindings(file, current, printed, options.databaseChanged)),
    );
  }

  const clients = await generatedClients(schemaGeneratorOutputs(files), options.projectRoot);
  report.findings.push(
    ...(folder ? folderClientFindings(folder, current, clients, options.generatedFrom) : prismaClientFindings(file, current, clients, options.generatedFrom)),
  );
  return report;
}

/**
 * A finding when schema.prisma is not what `prisma db pull` would write for the database. An empty
 * `printed` (the pull printed no schema) is treated as a failed pull by the caller, not as drift.
 */
export function prismaSchemaFindings(file: string, current: string, printed: string, databaseChanged?: boolean): Finding[] {
  if (printed.trim() === '') return [];
  return schemaFileFindings(file, current, printed, databaseChanged);
}

/**
 * Findings for clients that are missing or were generated from another schema.prisma text. A
 * client that does not embed its schema is compared through `generatedFrom` (schemasync's memory
 * of its last generate); with neither, nothing can be said and no finding is made.
 */
export function prismaClientFindings(file: string, current: string, clients: GeneratedClient[], generatedFrom?: string): Finding[] {
  const findings: Finding[] = [];
  for (const client of clients) {
    const base = {
      kind: 'prisma-client' as const,
      key: `prisma-client:${client.output}`,
      file,
      hint: 'run `prisma generate` (or `schemasync sync`) so the client matches schema.prisma',
    };
    if (!client.exists) {
      findings.push({
        ...base,
        message: `the Prisma client in ${client.output} has not been generated from ${file}`,
      });
      continue;
    }
    if (client.schema !== undefined) {
      const diff = sameLayoutAside(client.schema, current)
        ? undefined
        : lineDiff(client.schema, current, { labels: [`${file} the client was generated from`, `${file} now`] });
      if (diff) {
        findings.push({
          ...base,
          line: diff.firstLine,
          message: `the Prisma client in ${client.output} was generated from an older ${file} (first difference at line ${diff.firstLine})`,
          detail: diff.text,
        });
      }
    } else if (generatedFrom !== undefined && generatedFrom !== checksum(current)) {
      findings.push({
        ...base,
        message: `the Prisma client in ${client.output} was generated from an older ${file}`,
      });
    }
  }
  return findings;
}

/**
 * Whether two schema texts differ in layout only. The client embeds schema.prisma as Prisma's
 * formatter left it (columns aligned, runs of blank lines folded), so a schema that was never
 * formatted is not "older" than its own client. Whitespace inside string literals still counts.
 */
export function sameLayoutAside(a: string, b: string): boolean {
  const layoutFree = (text: string) =>
    text
      .split(/\r?\n/)
      .map((line) => line.replace(/("(?:[^"\\]|\\.)*")|\s+/g, (match, quoted?: string) => quoted ?? ' ').trim())
      .join('\n')
      .replace(/\n{2,}/g, '\n\n')
      .trim();
  return layoutFree(a) === layoutFree(b);
}

// Where a generator's output embeds the schema it was generated from: `prisma-client` (Prisma 6.16+)
// in internal/class.ts, `prisma-client-js` in index.js. A JSON string literal either way.
const CLIENT_FILES = ['internal/class.ts', 'internal/class.js', 'internal/class.mjs', 'index.js', 'edge.js'];
const INLINE_SCHEMA = /"?inlineSchema"?\s*:\s*("(?:[^"\\]|\\.)*")/;

/** Reads each generator's output folder (default output: node_modules/.prisma/client) for its embedded schema. */
export async function generatedClients(outputs: Array<string | undefined>, projectRoot: string): Promise<GeneratedClient[]> {
  const clients: GeneratedClient[] = [];
  for (const output of outputs) {
    const folder = output ?? path.join(projectRoot, 'node_modules', '.prisma', 'client');
    const client: GeneratedClient = {
      output: path.relative(projectRoot, folder),
      exists: existsSync(folder),
    };
    for (const name of CLIENT_FILES) {
      const text = await readFile(path.join(folder, name), 'utf8').catch(() => undefined);
      const match = text === undefined ? null : INLINE_SCHEMA.exec(text);
      if (!match) continue;
      try {
        client.schema = JSON.parse(match[1]!) as string;
        break;
      } catch {
        // Not a plain JSON literal: try the next file, else fall back to schemasync's memory.
      }
    }
    clients.push(client);
  }
  return clients;
}
