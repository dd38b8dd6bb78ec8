import { existsSync } from 'node:fs';

import type { Env } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { locateBinary, locatePrismaCli } from '../tools/locate.ts';
import { PRISMA_INSTALL_HINT } from '../tools/prisma.ts';
import { SQLC_INSTALL_HINT } from '../tools/sqlc.ts';

/** The project's prisma and sqlc, where the project uses them. */
export interface ProjectTools {
  /** The project's own prisma CLI, when `prisma/schema.prisma` exists and prisma is installed. */
  prismaCli?: string;
  /** The sqlc binary, when `sqlc.yaml` exists and sqlc is found. */
  sqlcBinary?: string;
  /** Tools the project uses but that are not installed, each with how to get it. */
  missing: Array<{ tool: 'prisma' | 'sqlc'; reason: string }>;
}

/** Looks the tools up once; the watch pipeline and `verify` decide what a missing one means. */
export async function locateProjectTools(config: Config, env: Env): Promise<ProjectTools> {
  const tools: ProjectTools = { missing: [] };
  if (existsSync(config.prisma.schema)) {
    const cli = await locatePrismaCli(config.projectRoot);
    if (cli) tools.prismaCli = cli;
    else tools.missing.push({ tool: 'prisma', reason: `prisma is not installed in this project; ${PRISMA_INSTALL_HINT}` });
  }
  if (existsSync(config.sqlc.configFile)) {
    const binary = await locateBinary('sqlc', { explicit: config.sqlc.binary, cwd: config.projectRoot, env });
    if (binary) tools.sqlcBinary = binary;
    else tools.missing.push({ tool: 'sqlc', reason: `sqlc not found on PATH, $GOBIN, $GOPATH/bin or ~/go/bin; ${SQLC_INSTALL_HINT}` });
  }
  return tools;
}
