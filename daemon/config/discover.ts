import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Finds what a conventional project already says, by each tool's own rules, so that schemasync
 * needs no flags there. Reads files only; decides nothing about precedence (config/load.ts does).
 */

/** sqlc's own search order in the working directory (sqlc/internal/cmd: yaml, yml, json). */
export const SQLC_CONFIG_NAMES = ['sqlc.yaml', 'sqlc.yml', 'sqlc.json'] as const;

/** The sqlc config file in `root`, as sqlc itself finds it; undefined when there is none. */
export function findSqlcConfig(root: string, exists: (p: string) => boolean = existsSync): string | undefined {
  return SQLC_CONFIG_NAMES.map((name) => path.join(root, name)).find((file) => exists(file));
}

/** Where the Prisma schema was found, for the start-up summary. */
export interface PrismaSchemaFound {
  /** Absolute path of the schema file, or of the folder of a multi-file schema. */
  schema: string;
  /** What named it: `prisma.config.ts`, `package.json`, or `default` (Prisma's default locations). */
  from: string;
  /** Prisma's config file, when the project has one. */
  configFile: string | undefined;
}

/** Prisma's config file names, in the order Prisma 6 looks for them. */
const PRISMA_CONFIG_NAMES = ['prisma.config.ts', 'prisma.config.mts', 'prisma.config.js', 'prisma.config.mjs', 'prisma.config.cjs', 'prisma.config.cts'];

/**
 * The schema where Prisma itself resolves it (6.19's getSchemaWithPath): the config file's `schema`
 * (relative to the config file; a file or a multi-file schema folder), else package.json's
 * `prisma.schema` (either too), else `schema.prisma`, then `prisma/schema.prisma`. Last, the
 * conventional multi-file folder `prisma/schema`, which Prisma reads only when named (schemasync
 * always names the schema to Prisma with `--schema`). The config file is read as text, not run: a
 * `schema` that is not a string literal is not understood, and Prisma's defaults apply (set
 * prismaSchema then).
 */
export function findPrismaSchema(root: string): PrismaSchemaFound {
  const configFile = PRISMA_CONFIG_NAMES.map((name) => path.join(root, name)).find((file) => existsSync(file));
  if (configFile) {
    const match = /\bschema\s*:\s*(['"`])([^'"`]+)\1/.exec(readFileSync(configFile, 'utf8'));
    if (match) return { schema: path.resolve(path.dirname(configFile), match[2]!), from: path.basename(configFile), configFile };
  }
  // Prisma 6 reads package.json's key when its config file names no schema (deprecated, still read).
  const fromPackage = packageJsonPrismaSchema(root);
  if (fromPackage) return { schema: path.resolve(root, fromPackage), from: 'package.json', configFile };
  const candidates = ['schema.prisma', 'prisma/schema.prisma', 'prisma/schema'].map((p) => path.join(root, p));
  const found = candidates.find((file) => existsSync(file) && (file.endsWith('.prisma') ? statSync(file).isFile() : statSync(file).isDirectory()));
  return { schema: found ?? candidates[1]!, from: 'default', configFile };
}

function packageJsonPrismaSchema(root: string): string | undefined {
  const file = path.join(root, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { prisma?: { schema?: unknown } };
    return typeof manifest.prisma?.schema === 'string' ? manifest.prisma.schema : undefined;
  } catch {
    return undefined;
  }
}

/**
 * GOOSE_DBSTRING as a URL. goose hands it to the driver, and lib/pq and pgx accept both a URL and
 * the key=value form (`host=localhost user=app dbname=app sslmode=disable`); pg takes URLs only.
 * Returns undefined for text that is neither.
 */
export function postgresDsnToUrl(dsn: string): string | undefined {
  const text = dsn.trim();
  if (/^postgres(ql)?:\/\//i.test(text)) return text;
  const pairs = [...text.matchAll(/(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S*))/g)];
  // Every word must be a key=value pair: anything else is not a DSN.
  if (pairs.length === 0 || text.replace(/(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S*))/g, '').trim() !== '') return undefined;
  const values = new Map(pairs.map((m) => [m[1]!.toLowerCase(), (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1')]));
  const url = new URL('postgres://localhost');
  const host = values.get('host');
  if (host && !host.startsWith('/')) url.hostname = host;
  if (values.has('port')) url.port = values.get('port')!;
  if (values.has('user')) url.username = encodeURIComponent(values.get('user')!);
  if (values.has('password')) url.password = encodeURIComponent(values.get('password')!);
  url.pathname = `/${encodeURIComponent(values.get('dbname') ?? values.get('user') ?? '')}`;
  for (const [key, value] of values) {
    if (!['host', 'port', 'user', 'password', 'dbname'].includes(key)) url.searchParams.set(key, value);
  }
  // A Unix socket folder goes in `host=`, as pg reads it.
  if (host?.startsWith('/')) url.searchParams.set('host', host);
  return url.toString();
}

/**
 * Folders that look like goose migration folders (a `.sql` file with a `-- +goose` annotation), for
 * the hint when the configured folder is missing.
 */
export function gooseFolderCandidates(root: string): string[] {
  const candidates = ['migrations', 'migrations/postgres', 'db/migrations', 'database/migrations', 'sql/migrations', 'db/migrate', 'sql/schema', 'schema'];
  return candidates.filter((relative) => {
    const folder = path.join(root, relative);
    try {
      return statSync(folder).isDirectory() && holdsGooseFile(folder);
    } catch {
      return false;
    }
  });
}

function holdsGooseFile(folder: string): boolean {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.sql'))
    .slice(0, 20)
    .some((name) => /--\s*\+goose\s+up/i.test(readFileSync(path.join(folder, name), 'utf8').slice(0, 4096)));
}
