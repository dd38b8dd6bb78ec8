import { existsSync } from 'node:fs';
import path from 'node:path';

import { missingFolderMessage } from '../config/folders.ts';
import { gooseFolderCandidates, SQLC_CONFIG_NAMES } from '../config/discover.ts';
import type { LoadedConfig } from '../config/load.ts';
import { redactUrl } from '../log/redact.ts';
import { dirKey, offNotice, ROW_TYPES_SPEC, TARGETS, TYPES_SPEC, type TargetName } from '../config/targets.ts';
import type { WarmSupport } from '../tools/prisma-worker/support.ts';
import { runTool } from '../tools/run.ts';
import { findBelow } from './init.ts';
import { embeddedDataDir } from './targets.ts';
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
  /** The URL each open target uses (the embedded server's when none is configured). */
  urls: Partial<Record<TargetName, string>>;
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
 * turn it on. The caller gathers the facts; this reads only whether files exist.
 */
export function startupSummary(input: SummaryInput): SummaryRow[] {
  const { config, configFile } = input.loaded;
  const root = config.projectRoot;
  const rel = (file: string) => path.relative(root, file) || '.';
  const rows: SummaryRow[] = TARGETS.map((spec) => targetRow(input, spec));

  const typesOn = config.targets.includes(TYPES_SPEC.name);
  const origins = input.loaded.origins;
  const missing = (tool: 'prisma' | 'sqlc') => input.tools.missing.find((m) => m.tool === tool)?.reason;
  const follows = `follows ${TYPES_SPEC.label}, which is off`;
  if (!typesOn) rows.push({ name: 'prisma', on: false, detail: follows });
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
  if (!typesOn) rows.push({ name: 'sqlc', on: false, detail: follows });
  else if (input.tools.sqlcBinary && sqlcConfigExists) {
    rows.push({
      name: 'sqlc',
      on: true,
      detail: `${input.sqlcVersion ? `${input.sqlcVersion} · ` : ''}${rel(config.sqlc.configFile)}${from(origins?.sqlcConfig)}`,
    });
  } else {
    rows.push({ name: 'sqlc', on: false, detail: missing('sqlc') ?? sqlcOffReason(root) });
  }
  rows.push(clickhouseTypesRow(input.loaded.config, rel));
  rows.push(
    input.health
      ? { name: 'health', on: true, detail: input.health }
      : { name: 'health', on: false, detail: 'no port (--port or SCHEMASYNC_PORT to serve /healthz and /status)' },
  );
  if (configFile) rows.push({ name: 'config', on: true, detail: rel(configFile) });
  if (input.gitHead) rows.push({ name: 'git', on: true, detail: `on ${input.gitHead}` });
  // Other notices of the configuration (a target that is off has its row above).
  const offNotices = TARGETS.map(offNotice);
  for (const notice of input.loaded.notices.filter((n) => !offNotices.includes(n))) rows.push({ name: 'note', on: false, detail: notice });
  return rows;
}

/** ` (--postgres-dir)`: where a setting came from, unless it is the default or was found by convention. */
const from = (origin: string | undefined) => (origin && origin !== 'default' && origin !== 'found' ? ` (${origin})` : '');

/** One target's row: where it is and its folder, or why it is off and how to turn it on. */
function targetRow(input: SummaryInput, spec: (typeof TARGETS)[number]): SummaryRow {
  const { config, origins } = input.loaded;
  const root = config.projectRoot;
  const { name } = spec;
  const rel = (file: string) => path.relative(root, file) || '.';
  if (!config.targets.includes(name)) {
    const detail =
      config[name].url || spec.embedded
        ? `not chosen (--target ${config.targets.join(', ')})`
        : `${spec.urlEnv} is not set; set it (e.g. ${spec.urlExample}) to turn it on`;
    return { name, on: false, detail };
  }
  const dir = config[name].dir;
  const dirOrigin = origins?.[dirKey(name)];
  const folder = existsSync(dir)
    ? `${rel(dir)}${from(dirOrigin)}`
    : `${rel(dir)} does not exist yet, watching for it. ${missingFolderMessage(root, dir, dirOrigin ?? 'default', name, gooseFolderCandidates(root)).replace(/^.*?does not exist; /, '')}`;
  const urlOrigin = origins?.[`${name}Url`];
  const where =
    urlOrigin === 'embedded' || !config[name].url
      ? `embedded ${spec.label} in ${rel(embeddedDataDir(root))} (set ${spec.urlEnv} or GOOSE_DBSTRING for your own)`
      : `${redactUrl(input.urls[name] ?? config[name].url ?? '')}${from(urlOrigin)}`;
  return { name, on: true, detail: `${where} · ${folder} · table ${config[name].table}` };
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
  if (!config.targets.includes(ROW_TYPES_SPEC.name)) return { name: 'clickhouse-types', on: false, detail: `follows ${ROW_TYPES_SPEC.label}, which is off` };
  const { dir, go } = config.clickhouseTypes;
  const goDetail = go ? `Go ${rel(go.dir)} (package ${go.packageName})` : 'no Go (set clickhouseGoDir for clickhouse-go structs)';
  return { name: 'clickhouse-types', on: true, detail: `TypeScript ${rel(dir)} · ${goDetail}` };
}
