import { existsSync } from 'node:fs';
import path from 'node:path';

import { missingFolderMessage } from '../config/folders.ts';
import { gooseFolderCandidates, SQLC_CONFIG_NAMES } from '../config/discover.ts';
import type { LoadedConfig } from '../config/load.ts';
import { redactUrl } from '../log/redact.ts';
import type { TargetName } from '../targets/target.ts';
import type { WarmSupport } from '../tools/prisma-worker/support.ts';
import { runTool } from '../tools/run.ts';
import { findBelow } from './init.ts';
import type { ProjectTools } from './tools.ts';
import { prismaSchemaShown, prismaVersion } from './tools.ts';

/** One row of the start-up summary: a target, a tool or the health server, on or off and why. */
export interface SummaryRow {
  name: string;
  on: boolean;
  /** Where / what (on), or why it is off and how to turn it on. */
  detail: string;
}

export interface SummaryInput {
  loaded: LoadedConfig;
  /** The PostgreSQL URL in use (the embedded server's when none is configured). */
  postgresUrl: string | undefined;
  tools: ProjectTools;
  sqlcVersion: string | undefined;
  health: string | undefined;
  /** Which way the Prisma step runs in watch mode: the warm worker, or the CLI and why. */
  prismaPath?: WarmSupport | undefined;
  /** Where git's HEAD is (watch mode in a repository). */
  gitHead?: string | undefined;
  /** A Next.js app beside the daemon: whether its Prisma module follows each generate. */
  nextApp?: SummaryRow | undefined;
}

/**
 * The daemon's start-up block: each target (on/off, redacted URL, folder, version table), each
 * tool (on/off, version, config file), the health address; for anything off, why and how to
 * turn it on. Pure: the caller gathers the facts.
 */
export function startupSummary(input: SummaryInput): SummaryRow[] {
  const { config, origins, configFile } = input.loaded;
  const root = config.projectRoot;
  const rel = (file: string) => path.relative(root, file) || '.';
  const from = (origin: string | undefined) => (origin && origin !== 'default' && origin !== 'found' ? ` (${origin})` : '');
  const rows: SummaryRow[] = [];
  const folder = (target: TargetName, origin: string | undefined) => {
    const dir = config[target].dir;
    if (existsSync(dir)) return `${rel(dir)}${from(origin)}`;
    return `${rel(dir)} does not exist yet, watching for it. ${missingFolderMessage(root, dir, origin ?? 'default', target, gooseFolderCandidates(root)).replace(/^.*?does not exist; /, '')}`;
  };

  const postgresOn = config.targets.includes('postgres');
  if (postgresOn) {
    const where =
      origins?.postgresUrl === 'embedded' || !config.postgres.url
        ? `embedded PostgreSQL in .schemasync/postgres (set DATABASE_URL or GOOSE_DBSTRING for your own)`
        : `${redactUrl(input.postgresUrl ?? config.postgres.url)}${from(origins?.postgresUrl)}`;
    rows.push({ name: 'postgres', on: true, detail: `${where} · ${folder('postgres', origins?.postgresDir)} · table ${config.postgres.table}` });
  } else {
    rows.push({ name: 'postgres', on: false, detail: 'not chosen (--target clickhouse)' });
  }
  if (config.targets.includes('clickhouse')) {
    rows.push({
      name: 'clickhouse',
      on: true,
      detail: `${redactUrl(config.clickhouse.url ?? '')} · ${folder('clickhouse', origins?.clickhouseDir)} · table ${config.clickhouse.table}`,
    });
  } else {
    rows.push({
      name: 'clickhouse',
      on: false,
      detail: config.clickhouse.url
        ? 'not chosen (--target postgres)'
        : 'CLICKHOUSE_URL is not set; set it (e.g. http://default@localhost:8123/default) to turn it on',
    });
  }

  const missing = (tool: 'prisma' | 'sqlc') => input.tools.missing.find((m) => m.tool === tool)?.reason;
  if (!postgresOn) rows.push({ name: 'prisma', on: false, detail: 'follows PostgreSQL, which is off' });
  else if (input.tools.prismaCli) {
    const version = prismaVersion(input.tools.prismaCli);
    rows.push({
      name: 'prisma',
      on: true,
      detail: `${version ? `${version} · ` : ''}${prismaSchemaShown(config.prisma.schema, config.projectRoot)}${from(origins?.prismaSchema)}${prismaPathDetail(input.prismaPath)}`,
    });
    if (input.nextApp) rows.push(input.nextApp);
  } else {
    rows.push({
      name: 'prisma',
      on: false,
      detail:
        missing('prisma') ??
        `no Prisma schema at ${rel(config.prisma.schema)} (nor where Prisma looks: prisma.config.ts, package.json "prisma.schema", schema.prisma); create one or set prismaSchema`,
    });
  }
  const sqlcConfigExists = existsSync(config.sqlc.configFile);
  if (!postgresOn) rows.push({ name: 'sqlc', on: false, detail: 'follows PostgreSQL, which is off' });
  else if (input.tools.sqlcBinary && sqlcConfigExists) {
    rows.push({
      name: 'sqlc',
      on: true,
      detail: `${input.sqlcVersion ? `${input.sqlcVersion} · ` : ''}${rel(config.sqlc.configFile)}${from(origins?.sqlcConfig)}`,
    });
  } else {
    rows.push({
      name: 'sqlc',
      on: false,
      detail: missing('sqlc') ?? sqlcOffReason(root),
    });
  }
  rows.push(clickhouseTypesRow(input.loaded.config, rel));
  rows.push(
    input.health
      ? { name: 'health', on: true, detail: input.health }
      : { name: 'health', on: false, detail: 'no port (--port or SCHEMASYNC_PORT to serve /healthz and /status)' },
  );
  if (configFile) rows.push({ name: 'config', on: true, detail: rel(configFile) });
  if (input.gitHead) rows.push({ name: 'git', on: true, detail: `on ${input.gitHead}` });
  // Other notices of the configuration (the ClickHouse one is its row above).
  for (const notice of input.loaded.notices.filter((n) => !n.startsWith('ClickHouse target is off'))) rows.push({ name: 'note', on: false, detail: notice });
  return rows;
}

/** The warm worker is on, or the CLI runs (2–4 s a run) and why, with how to turn the worker on. */
function prismaPathDetail(path: WarmSupport | undefined): string {
  if (!path) return '';
  if (path.ok) return ' · warm worker, starting (db pull + generate in-process)';
  const fix = path.command ? `; for the warm worker (~0.2 s): ${path.command}, or \`npx schemasync init\`` : '';
  return ` · through the prisma CLI (2–4 s a run): ${path.reason}${fix}`;
}

function sqlcOffReason(root: string): string {
  const nested = findBelow(root, (name) => (SQLC_CONFIG_NAMES as readonly string[]).includes(name));
  if (nested) return `${nested} is not in the project root, where sqlc and schemasync look: set sqlcConfig (\`schemasync init\` writes it) or --sqlc-config`;
  return 'no sqlc.yaml, sqlc.yml or sqlc.json in the project root (one added later is picked up); or set sqlcConfig';
}

/** The block as text: a heading, then one aligned row per line. */
export function formatSummary(heading: string, rows: SummaryRow[]): string {
  const width = Math.max(...rows.map((row) => row.name.length));
  return [heading, ...rows.map((row) => `  ${row.name.padEnd(width)}  ${row.on ? 'on ' : 'off'}  ${row.detail}`)].join('\n');
}

/**
 * `sqlc version` (v1.30.0), or undefined when it does not answer within a second. Run as every
 * tool is (tools/run.ts): in its own process group, killed with whatever it started.
 */
export async function sqlcVersion(binary: string | undefined, cwd: string): Promise<string | undefined> {
  if (!binary) return undefined;
  try {
    const { stdout } = await runTool({ tool: 'sqlc', action: 'version', file: binary, args: ['version'] }, { cwd, timeoutMs: 1_000, forceKillAfterMs: 200 });
    return /^v?\d+\.\d+\.\d+\S*$/.test(stdout.trim()) ? stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** The ClickHouse types step: on with ClickHouse; where it writes TypeScript and (opt-in) Go. */
function clickhouseTypesRow(config: LoadedConfig['config'], rel: (file: string) => string): SummaryRow {
  if (!config.targets.includes('clickhouse')) return { name: 'clickhouse-types', on: false, detail: 'follows ClickHouse, which is off' };
  const { dir, go } = config.clickhouseTypes;
  const goDetail = go ? `Go ${rel(go.dir)} (package ${go.packageName})` : 'no Go (set clickhouseGoDir for clickhouse-go structs)';
  return { name: 'clickhouse-types', on: true, detail: `TypeScript ${rel(dir)} · ${goDetail}` };
}
