import type { ToolCommand } from './run.ts';

/** What the Prisma commands need. Pure data: building a command does no I/O. */
export interface PrismaContext {
  /** The CLI's JS entry (`…/prisma/build/index.js`, see locatePrismaCli), run with Node. */
  cli: string;
  /** Absolute path of `schema.prisma`, or of a multi-file schema folder (`--schema` takes either). */
  schema: string;
  /** Absolute path of `prisma.config.ts`, when the project has one. */
  configFile?: string | undefined;
  /** Passed to the child as DATABASE_URL only: never in args, never logged. */
  databaseUrl: string;
  /** The Node binary; defaults to the one running schemasync. */
  node?: string;
}

export const PRISMA_INSTALL_HINT = 'add it to the project with `npm install --save-dev prisma`.';

/**
 * Environment for every Prisma run:
 *  - DATABASE_URL: the schema's `env("DATABASE_URL")` (Prisma 6) or prisma.config.ts (Prisma 7
 *    and our JS-engine config) read it from here;
 *  - PRISMA_HIDE_UPDATE_MESSAGE: no "update available" box in the log;
 *  - PRISMA_GENERATE_SKIP_AUTOINSTALL: `generate` must never run `npm install @prisma/client`;
 *  - CHECKPOINT_DISABLE: no telemetry request on each run (offline machines wait for it).
 */
export function prismaEnv(ctx: Pick<PrismaContext, 'databaseUrl'>): Record<string, string> {
  return {
    DATABASE_URL: ctx.databaseUrl,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    PRISMA_GENERATE_SKIP_AUTOINSTALL: '1',
    CHECKPOINT_DISABLE: '1',
  };
}

/**
 * `--config` when the project has a prisma.config.ts (Prisma 7 requires it for the datasource;
 * with Prisma 6 it selects the JS schema engine), and always `--schema`: both versions accept it
 * on `db pull` and `generate`, and it keeps the schema the one schemasync was configured with.
 */
function locationArgs(ctx: PrismaContext): string[] {
  return [...(ctx.configFile ? ['--config', ctx.configFile] : []), '--schema', ctx.schema];
}

function prisma(ctx: PrismaContext, action: string, args: string[]): ToolCommand {
  return {
    tool: 'prisma',
    action,
    file: ctx.node ?? process.execPath,
    args: [ctx.cli, ...args],
    env: prismaEnv(ctx),
    installHint: PRISMA_INSTALL_HINT,
  };
}

/** `prisma db pull`: rewrites the schema's models from the database. */
export function prismaPull(ctx: PrismaContext): ToolCommand {
  return prisma(ctx, 'db pull', ['db', 'pull', ...locationArgs(ctx)]);
}

/**
 * `prisma db pull --print`: the introspected schema on stdout, the file untouched (drift checks).
 * Prisma may print warnings on stdout before it: read the result with `printedSchema`.
 */
export function prismaPullPrint(ctx: PrismaContext): ToolCommand {
  return prisma(ctx, 'db pull', ['db', 'pull', '--print', ...locationArgs(ctx)]);
}

/** `prisma generate`: writes the client to the generator's `output`. */
export function prismaGenerate(ctx: PrismaContext): ToolCommand {
  return prisma(ctx, 'generate', ['generate', ...locationArgs(ctx)]);
}

const SCHEMA_START = /^(\/\/|generator\s|datasource\s|model\s|enum\s|view\s|type\s)/;

/**
 * The schema printed by `prisma db pull --print`, without what Prisma writes on stdout before it
 * (e.g. 6.19's "WARNING: Your schema specifies the following datasource properties…" when a
 * driver adapter is configured): everything from the first line a schema can start with.
 */
export function printedSchema(stdout: string): string {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => SCHEMA_START.test(line));
  return start === -1 ? '' : lines.slice(start).join('\n');
}
