import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import type { Env } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { locateBinary, locatePrismaCli } from '../tools/locate.ts';
import { PRISMA_INSTALL_HINT } from '../tools/prisma.ts';
import { SQLC_INSTALL_HINT } from '../tools/sqlc.ts';

/** The project's prisma and sqlc, where the project uses them. */
export interface ProjectTools {
  /** The project's own prisma CLI, when the Prisma schema exists and prisma is installed. */
  prismaCli?: string;
  /** The sqlc binary, when a sqlc config exists (or `sqlcWithoutConfig`) and sqlc is found. */
  sqlcBinary?: string;
  /** Tools the project uses but that are not installed, each with how to get it. */
  missing: Array<{ tool: 'prisma' | 'sqlc'; reason: string }>;
}

/**
 * Looks the tools up once; the watch pipeline and `verify` decide what a missing one means.
 * `sqlcWithoutConfig`: the daemon looks for sqlc even before the project has a sqlc config, so a
 * config added while it runs is used without a restart.
 */
export async function locateProjectTools(config: Config, env: Env, options: { sqlcWithoutConfig?: boolean } = {}): Promise<ProjectTools> {
  const tools: ProjectTools = { missing: [] };
  // A schema file or a multi-file schema folder: Prisma reads both, and so does the Prisma step.
  if (existsSync(config.prisma.schema)) {
    const cli = await locatePrismaCli(config.projectRoot);
    if (cli) tools.prismaCli = cli;
    else tools.missing.push({ tool: 'prisma', reason: `prisma is not installed in this project; ${PRISMA_INSTALL_HINT}` });
  }
  const hasSqlcConfig = existsSync(config.sqlc.configFile);
  if (hasSqlcConfig || options.sqlcWithoutConfig) {
    const binary = await locateBinary('sqlc', { explicit: config.sqlc.binary, cwd: config.projectRoot, env });
    if (binary) tools.sqlcBinary = binary;
    else if (hasSqlcConfig) tools.missing.push({ tool: 'sqlc', reason: `sqlc not found on PATH, $GOBIN, $GOPATH/bin or ~/go/bin; ${SQLC_INSTALL_HINT}` });
  }
  return tools;
}

/** The installed Prisma CLI's version, from its package.json (running `prisma -v` costs a second). */
export function prismaVersion(cli: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(path.join(path.dirname(cli), '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}

/** How the start-up summary names the schema: the file, or a multi-file schema folder as one (`prisma/schema/, 7 files`). */
export function prismaSchemaShown(schema: string, projectRoot: string): string {
  const shown = path.relative(projectRoot, schema) || '.';
  try {
    if (!statSync(schema).isDirectory()) return shown;
    const count = readdirSync(schema, { recursive: true }).filter((name) => String(name).endsWith('.prisma')).length;
    return `${shown}/ (schema folder, ${count} file${count === 1 ? '' : 's'})`;
  } catch {
    return shown;
  }
}
