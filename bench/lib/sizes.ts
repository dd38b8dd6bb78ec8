import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { writeGeneratedMigrations } from '../../test/helpers/generated-schema.ts';
import type { TempProject } from '../../test/helpers/project.ts';
import { createTableSql, migrationName, nextVersion } from './migrations.ts';
import { openSide, type SideEnv } from './pair.ts';
import type { Sample } from './scenarios.ts';
import type { BenchServers } from './servers.ts';
import { pollUntil } from './stats.ts';

/**
 * Schema sizes (issue 23): the example project, and generated schemas of 80 and 300 related
 * tables (test/helpers/generated-schema.ts), each with the hand loop beside schemasync; and, with
 * `--project=<goose folder>[:<schema>]`, a real project's migrations (Prisma told to pull that one
 * PostgreSQL schema, where the new tables go too). sqlc is off on both sides (its queries are the
 * example's), so "synced" is the database, schema.prisma and the generated client.
 */
export interface Size {
  label: string;
  /** Generated tables, or undefined for the example's own migrations. */
  tables?: number | undefined;
  /** A real project's goose folder instead, and the PostgreSQL schema Prisma pulls. */
  folder?: string | undefined;
  namespace?: string | undefined;
}

export const SIZES: Size[] = [
  { label: 'the example (6 tables)', tables: undefined },
  { label: '80 generated tables', tables: 80 },
  { label: '300 generated tables', tables: 300 },
];

/** `--project=<goose folder>[:<schema>]` as a size. */
export function projectSize(argument: string): Size {
  const [folder = '', namespace] = argument.split(':');
  return { label: `${namespace ?? path.basename(path.resolve(folder))}: a real project's migrations`, folder: path.resolve(folder), namespace };
}

async function prepare(project: TempProject, size: Size): Promise<void> {
  await rm(project.path('sqlc.yaml'), { force: true });
  await rm(project.path('queries'), { recursive: true, force: true });
  if (size.tables === undefined && size.folder === undefined) return;
  await rm(project.path('migrations', 'postgres'), { recursive: true, force: true });
  if (size.folder) await cp(size.folder, project.path('migrations', 'postgres'), { recursive: true });
  else await writeGeneratedMigrations(project.path('migrations', 'postgres'), size.tables!);
  if (size.folder) {
    // The example's generator and datasource only: its models are not this project's (and, with
    // `schemas`, a model without @@schema fails validation).
    const schema = await readFile(project.path('prisma', 'schema.prisma'), 'utf8');
    const blocks = schema.slice(0, schema.search(/^(model|enum|view) /m));
    const namespaces = size.namespace ? `\n  schemas  = ["${size.namespace}"]` : '';
    await writeFile(project.path('prisma', 'schema.prisma'), blocks.replace(/(url\s*=\s*env\("DATABASE_URL"\))/, `$1${namespaces}`));
  }
}

/** Both sides at one size, each started and done with its first run. */
export async function openSizeSides(servers: BenchServers, size: Size): Promise<SideEnv[]> {
  const options = { prepare: (project: TempProject) => prepare(project, size), startTimeoutMs: 300_000 };
  return [await openSide('baseline', servers, options), await openSide('schemasync', servers, options)];
}

async function prismaHas(env: SideEnv, namespace: string, table: string): Promise<boolean> {
  const found = await env.db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [`${namespace}.${table}`]);
  if (!found.rows[0]?.ok) return false;
  const schema = await readFile(env.project.path('prisma', 'schema.prisma'), 'utf8').catch(() => '');
  if (!schema.includes(`model ${table} {`)) return false;
  return (await readFile(env.project.path('generated', 'prisma', 'models', `${table}.ts`), 'utf8').catch(() => '')) !== '';
}

/**
 * A migration adding a table: save → database, schema.prisma and client. For schemasync the
 * run's Prisma step time is kept (`extra.prismaMs`, from its run:end event).
 */
export const newTableAtSize =
  (size: Size) =>
  async (env: SideEnv, round: number): Promise<Sample> => {
    const table = `size_${env.name === 'baseline' ? 'b' : 's'}${round}`;
    const namespace = size.namespace ?? 'public';
    const before = env.running.ended();
    const eventsBefore = env.running.events.length;
    const since = performance.now();
    await writeFile(env.project.path('migrations', 'postgres', migrationName(nextVersion(), `create_${table}`)), createTableSql(`${namespace}.${table}`));
    const ms = await pollUntil(() => prismaHas(env, namespace, table), { since, timeoutMs: 120_000 });
    await env.running.waitIdle({ minEnded: before + 1, since, timeoutMs: 120_000 });
    const steps = env.running.events
      .filter((e) => e.event === 'run:end')
      .slice(before)
      .flatMap((e) => e.steps as Array<{ name: string; durationMs: number }>);
    const prismaMs = steps.filter((s) => s.name === 'prisma').reduce((sum, s) => sum + s.durationMs, 0);
    // BENCH_LOG_LEVEL=debug: the worker's phases and reuse counts of the round, on stderr.
    if (process.env.BENCH_LOG_LEVEL === 'debug')
      for (const e of env.running.events.slice(eventsBefore).filter((e) => String(e.event).startsWith('prisma-worker:')))
        process.stderr.write(`[${env.name} ${round}] ${JSON.stringify(e)}\n`);
    return {
      ms,
      runs: env.running.ended() - before,
      note: ms === undefined ? 'never reflected' : undefined,
      extra: env.name === 'schemasync' ? { prismaMs } : {},
    };
  };
