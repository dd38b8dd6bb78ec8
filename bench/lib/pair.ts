import { readFile, writeFile } from 'node:fs/promises';

import pg from 'pg';

import { copyExampleProject, type TempProject } from '../../test/helpers/project.ts';
import { createTableSql, goStructName, migrationName, nextVersion } from './migrations.ts';
import { createDatabaseOn } from '../../test/helpers/sql.ts';
import { createClickHouseDatabase, type BenchServers } from './servers.ts';
import { startBaselineSide, startSchemasyncSide, type RunningSide, type SideName, type SideTargets } from './sides.ts';

/** One side of a comparison: its project copy, its databases, its running watcher. */
export interface SideEnv {
  name: SideName;
  project: TempProject;
  targets: SideTargets;
  /** The benchmark's own connection to the side's database, for observing it. */
  db: pg.Client;
  clickhouseDatabase?: string;
  running: RunningSide;
  /** Time from launch to the end of the first run (on the fresh database). */
  firstRunMs?: number;
  /** Stops the watcher and starts it again; resolves with the time until its first run ended. */
  restart(): Promise<number | undefined>;
  close(): Promise<void>;
}

export const SEED_TABLE = 'bench_seed';

/**
 * A temp copy of the example project (without ClickHouse migrations unless asked) on a fresh
 * database, plus a `bench_seed` table for the seed-row scenario; the watcher is started and has
 * finished its first run when this resolves. `prepare` may change the project before the start.
 */
export async function openSide(
  name: SideName,
  servers: BenchServers,
  options: { clickhouse?: boolean; prepare?: (project: TempProject) => Promise<void>; startTimeoutMs?: number } = {},
): Promise<SideEnv> {
  const project = await copyExampleProject(options.clickhouse ? {} : { without: ['migrations/clickhouse'] });
  const database = await createDatabaseOn(servers.postgresAdminUrl, `bench_${name}`);
  let clickhouse: Awaited<ReturnType<typeof createClickHouseDatabase>> | undefined;
  if (options.clickhouse) {
    if (!servers.clickhouseUrl || !servers.clickhouseTcp) throw new Error(`no ClickHouse server: ${servers.clickhouseProblem}`);
    clickhouse = await createClickHouseDatabase(servers.clickhouseUrl, `bench_${name}`);
  }
  const tcp = servers.clickhouseTcp;
  const targets: SideTargets = {
    databaseUrl: database.url,
    clickhouse:
      clickhouse && tcp
        ? { url: clickhouse.url, gooseDsn: `clickhouse://${tcp.user}:${encodeURIComponent(tcp.password)}@${tcp.host}:${tcp.port}/${clickhouse.database}` }
        : undefined,
  };
  await writeFile(
    project.path('migrations', 'postgres', migrationName(nextVersion(), 'create_bench_seed')),
    createTableSql(SEED_TABLE, ['note text NOT NULL']),
  );
  await options.prepare?.(project);
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();

  const start = () => (name === 'schemasync' ? startSchemasyncSide(project.root, targets) : startBaselineSide(project.root, targets, { initial: true }));
  const env: SideEnv = {
    name,
    project,
    targets,
    db,
    clickhouseDatabase: clickhouse?.database,
    running: undefined as unknown as RunningSide,
    async restart() {
      await env.running.stop();
      const since = performance.now();
      env.running = await start();
      return env.running.waitIdle({ minEnded: 1, since, timeoutMs: options.startTimeoutMs ?? 120_000 });
    },
    async close() {
      await env.running.stop().catch(() => {});
      await db.end();
      await database.drop().catch(() => {});
      await clickhouse?.drop().catch(() => {});
      await project.remove();
    },
  };
  const since = performance.now();
  env.running = await start();
  const first = await env.running.waitIdle({ minEnded: 1, since, timeoutMs: options.startTimeoutMs ?? 120_000 });
  if (first === undefined) {
    await env.close();
    throw new Error(`${name} did not finish its first run in time`);
  }
  env.firstRunMs = first;
  return env;
}

/** True once the side's database, schema.prisma, Prisma client and sqlc code all have `table`. */
export async function tableEverywhere(env: SideEnv, table: string): Promise<boolean> {
  const found = await env.db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [`public.${table}`]);
  return Boolean(found.rows[0]?.ok) && (await outputsHave(env, table));
}

/**
 * True once schema.prisma, the generated Prisma model file and sqlc's models.go have `table`,
 * and, when `column` is given, that column of it.
 */
export async function outputsHave(env: SideEnv, table: string, column?: string): Promise<boolean> {
  const read = (file: string) => readFile(file, 'utf8').catch(() => '');
  const schema = await read(env.project.path('prisma', 'schema.prisma'));
  const model = new RegExp(`model ${table} \\{[^}]*${column ? `\\n\\s+${column}\\s` : ''}`);
  if (!model.test(schema)) return false;
  const client = await read(env.project.path('generated', 'prisma', 'models', `${table}.ts`));
  if (!client || (column && !client.includes(column))) return false;
  const models = await read(env.project.path('server', 'internal', 'database', 'generated', 'models.go'));
  const struct = new RegExp(`type ${goStructName(table)} struct \\{[^}]*${column ? `\\n\\s+${goStructName(column)}\\s` : ''}`);
  return struct.test(models);
}
