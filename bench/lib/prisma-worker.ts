import { readFileSync } from 'node:fs';
import path from 'node:path';

import { silentLogger } from '../../daemon/log/types.ts';
import { locatePrismaCli } from '../../daemon/tools/locate.ts';
import { gooseCommand } from '../../test/helpers/goose.ts';
import { prismaGenerate, prismaPull, type PrismaContext } from '../../daemon/tools/prisma.ts';
import { DEFAULT_MEMORY_LIMIT_BYTES, PrismaWorker } from '../../daemon/tools/prisma-worker/client.ts';
import { runTool } from '../../daemon/tools/run.ts';
import { copyExampleProject, type TempProject } from '../../test/helpers/project.ts';
import { createDatabaseOn, withClient } from '../../test/helpers/sql.ts';
import type { Sample } from './scenarios.ts';
import type { BenchServers } from './servers.ts';
import { GOOSE_BIN } from './sides.ts';

/**
 * The Prisma step alone, outside the daemon: the CLI (`prisma db pull` + `prisma generate`, two
 * processes) against the warm worker (both in one long-lived child), on the example project with
 * a new table each round; and the worker's resident memory over many runs.
 */

interface Bench {
  project: TempProject;
  ctx: PrismaContext;
  worker: PrismaWorker;
  sql(text: string): Promise<void>;
  close(): Promise<void>;
}

async function open(servers: BenchServers): Promise<Bench> {
  const project = await copyExampleProject({ without: ['migrations/clickhouse'] });
  const database = await createDatabaseOn(servers.postgresAdminUrl, 'bench_prisma');
  await runTool(gooseCommand({ binary: GOOSE_BIN, dir: project.path('migrations/postgres'), driver: 'postgres', dbString: database.url }, { command: 'up' }), {
    cwd: project.root,
    timeoutMs: 60_000,
  });
  const cli = await locatePrismaCli(project.root);
  if (!cli) throw new Error('prisma is not installed');
  const ctx: PrismaContext = { cli, schema: project.path('prisma/schema.prisma'), configFile: project.path('prisma.config.ts'), databaseUrl: database.url };
  const worker = PrismaWorker.create({ ...ctx, projectRoot: project.root, logger: silentLogger });
  if (!worker || !(await worker.start())) throw new Error('the Prisma worker cannot run on the example project');
  return {
    project,
    ctx,
    worker,
    sql: (text) => withClient(database.url, async (client) => void (await client.query(text))),
    async close() {
      await worker.close();
      await database.drop().catch(() => {});
      await project.remove();
    },
  };
}

const signal = new AbortController().signal;

async function viaWorker(bench: Bench): Promise<void> {
  for (const op of ['pull', 'generate'] as const) {
    const outcome = await bench.worker.run(op, signal, 120_000);
    if (!outcome.served) throw new Error(`the worker did not serve ${op}: ${outcome.reason}`);
  }
}

async function viaCli(bench: Bench): Promise<void> {
  await runTool(prismaPull(bench.ctx), { cwd: bench.project.root, timeoutMs: 120_000 });
  await runTool(prismaGenerate(bench.ctx), { cwd: bench.project.root, timeoutMs: 120_000 });
}

/** Each round: a new table, then the CLI's pull + generate; another new table, then the worker's. */
export async function prismaStepAlone(servers: BenchServers, rounds: number, log: (m: string) => void): Promise<Record<'baseline' | 'schemasync', Sample[]>> {
  const bench = await open(servers);
  const samples: Record<'baseline' | 'schemasync', Sample[]> = { baseline: [], schemasync: [] };
  try {
    // Two untimed rounds: the first calls compile what the warm ones reuse (V8 tiers up the
    // generator and wasm glue over the first few calls).
    await viaWorker(bench);
    await viaWorker(bench);
    for (let round = 1; round <= rounds; round++) {
      for (const [side, run] of [
        ['baseline', viaCli],
        ['schemasync', viaWorker],
      ] as const) {
        await bench.sql(`CREATE TABLE prisma_alone_${side}_${round} (id serial PRIMARY KEY, label text NOT NULL)`);
        const since = performance.now();
        await run(bench);
        const ms = performance.now() - since;
        if (!readFileSync(bench.ctx.schema, 'utf8').includes(`model prisma_alone_${side}_${round} {`))
          throw new Error(`${side}: the new table is not in schema.prisma`);
        samples[side].push({ ms });
        log(`prisma step alone #${round} ${side === 'baseline' ? 'CLI' : 'worker'}: ${Math.round(ms)} ms`);
      }
    }
  } finally {
    await bench.close();
  }
  return samples;
}

function rssMb(pid: number): number | undefined {
  try {
    const line = readFileSync(path.join('/proc', String(pid), 'status'), 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return line ? Math.round(Number(line[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

export interface WorkerMemory {
  runs: number;
  boundMb: number;
  /** The worker's RSS after each pull + generate. */
  rssMb: number[];
  /** How many times the worker was replaced (memory bound). */
  recycled: number;
  medianRunMs: number;
}

/** `runs` pulls + generates, a column added and dropped in turn so each one has work. */
export async function workerMemory(servers: BenchServers, runs: number, log: (m: string) => void): Promise<WorkerMemory> {
  const bench = await open(servers);
  const rss: number[] = [];
  const times: number[] = [];
  const pids = new Set<number>();
  try {
    for (let i = 0; i < runs; i++) {
      await bench.sql(i % 2 === 0 ? 'ALTER TABLE users ADD COLUMN bench_probe text' : 'ALTER TABLE users DROP COLUMN bench_probe');
      const since = performance.now();
      await viaWorker(bench);
      times.push(performance.now() - since);
      const pid = bench.worker.pid;
      if (pid !== undefined) {
        pids.add(pid);
        const mb = rssMb(pid);
        if (mb !== undefined) rss.push(mb);
      }
      if ((i + 1) % 50 === 0) log(`worker memory: ${i + 1} runs, RSS ${rss.at(-1)} MB`);
    }
  } finally {
    await bench.close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    runs,
    boundMb: DEFAULT_MEMORY_LIMIT_BYTES / 2 ** 20,
    rssMb: rss,
    recycled: pids.size - 1,
    medianRunMs: Math.round(sorted[Math.floor(sorted.length / 2)] ?? NaN),
  };
}
