/**
 * `node --import tsx bench/profile-prisma.ts <size> [rounds]`: where the warm Prisma step's time
 * goes at one schema size, in this process (so `node --cpu-prof` sees all of it). `size` is
 * `example`, a table count (`80`, `300`: bench/lib/generated-schema.ts) or `dir:<goose folder>`
 * with `schemas=<a,b>` after it for a multi-schema project. Each round adds a table, then runs the
 * worker's pull and generate and prints their phases (in-process.ts `spans`) and GC time; the CLI's
 * `db pull && generate` is timed once beside them.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector';
import { PerformanceObserver } from 'node:perf_hooks';

import { gooseCommand } from '../test/helpers/goose.ts';
import { locatePrismaCli } from '../daemon/tools/locate.ts';
import { prismaEnv, prismaGenerate, prismaPull } from '../daemon/tools/prisma.ts';
import { loadInProcessPrisma } from '../daemon/tools/prisma-worker/in-process.ts';
import { runTool } from '../daemon/tools/run.ts';
import { startPostgresServer } from '../test/helpers/postgres-server.ts';
import { repoRoot } from '../test/helpers/project.ts';
import { createDatabaseOn, withClient } from '../test/helpers/sql.ts';
import { writeGeneratedMigrations } from '../test/helpers/generated-schema.ts';
import { GOOSE_BIN } from './lib/sides.ts';

const [size = '80', roundsArg = '5', schemasArg] = process.argv.slice(2);
const rounds = Number(roundsArg);
const schemas = schemasArg?.startsWith('schemas=') ? schemasArg.slice(8).split(',') : undefined;
const log = (message: string) => process.stderr.write(`[profile] ${message}\n`);

export function emptySchema(namespaces?: string[]): string {
  return `generator client {\n  provider   = "prisma-client"\n  output     = "../generated/prisma"\n  engineType = "client"\n}\n\ndatasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")${namespaces ? `\n  schemas  = [${namespaces.map((s) => JSON.stringify(s)).join(', ')}]` : ''}\n}\n`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'schemasync-profile-'));
  let migrations = path.join(repoRoot, 'migrations/postgres');
  if (size.startsWith('dir:')) migrations = path.resolve(size.slice(4));
  else if (size !== 'example') {
    migrations = path.join(dir, 'migrations');
    await writeGeneratedMigrations(migrations, Number(size));
  }
  const server = await startPostgresServer();
  const database = await createDatabaseOn(server.adminUrl, 'profile');
  try {
    let started = performance.now();
    await runTool(gooseCommand({ binary: GOOSE_BIN, dir: migrations, driver: 'postgres', dbString: database.url }, { command: 'up' }), {
      cwd: dir,
      timeoutMs: 300_000,
    });
    log(`goose up ${size}: ${Math.round(performance.now() - started)} ms`);
    mkdirSync(path.join(dir, 'prisma'));
    cpSync(path.join(repoRoot, 'prisma.config.ts'), path.join(dir, 'prisma.config.ts'));
    cpSync(path.join(repoRoot, 'prisma/pg-adapter.ts'), path.join(dir, 'prisma/pg-adapter.ts'));
    writeFileSync(path.join(dir, 'prisma/schema.prisma'), emptySchema(schemas));
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
    const cli = await locatePrismaCli(dir);
    if (!cli) throw new Error('prisma is not installed');
    const ctx = { cli, schema: path.join(dir, 'prisma/schema.prisma'), configFile: path.join(dir, 'prisma.config.ts'), databaseUrl: database.url };
    Object.assign(process.env, prismaEnv(ctx));
    // PROFILE_NO_CLI=1: the worker alone (its first pull starts from the empty schema).
    if (!process.env.PROFILE_NO_CLI) {
      started = performance.now();
      await runTool(prismaPull(ctx), { cwd: dir, timeoutMs: 300_000 });
      const cliPull = performance.now() - started;
      await runTool(prismaGenerate(ctx), { cwd: dir, timeoutMs: 300_000 });
      log(`CLI: db pull ${Math.round(cliPull)} ms, generate ${Math.round(performance.now() - started - cliPull)} ms`);
    }

    process.chdir(dir);
    const prisma = await loadInProcessPrisma({ projectRoot: dir, schema: ctx.schema, configFile: ctx.configFile });
    if (prisma.unsupported) throw new Error(prisma.unsupported);
    await prisma.warm();
    for (let i = 0; i < 2; i++) {
      await prisma.pull();
      await prisma.generate();
    }
    await prisma.prepareNextPull();
    log(`${(readFileSync(ctx.schema, 'utf8').match(/^model /gm) ?? []).length} models, heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB`);
    // PROFILE_CPU=<file>: a CPU profile of the measured rounds only (the warm-up left out).
    const profiler = process.env.PROFILE_CPU ? await startCpuProfile() : undefined;
    let gcMs = 0;
    new PerformanceObserver((list) => list.getEntries().forEach((entry) => (gcMs += entry.duration))).observe({ entryTypes: ['gc'] });
    const namespace = schemas ? `${schemas[0]}.` : '';
    for (let round = 1; round <= rounds; round++) {
      await withClient(database.url, (c) => c.query(`CREATE TABLE ${namespace}profile_r${round} (id serial PRIMARY KEY, label text NOT NULL)`));
      gcMs = 0;
      started = performance.now();
      await prisma.pull();
      const pull = { total: performance.now() - started, ...prisma.spans };
      started = performance.now();
      await prisma.generate();
      const generate = { total: performance.now() - started, ...prisma.spans };
      // As the worker does once a generate is answered (pull-ahead.ts), outside the measured time.
      await prisma.prepareNextPull();
      const show = (spans: Record<string, number>) =>
        Object.entries(spans)
          .map(([k, v]) => `${k} ${Math.round(v)}`)
          .join(', ');
      log(
        `round ${round}: pull {${show(pull)}} generate {${show(generate)}} reuse ${JSON.stringify(prisma.reuse)}, gc ${Math.round(gcMs)}, heap after GC ${heapAfterGc()} MB, RSS ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MB`,
      );
    }
    if (profiler) writeFileSync(process.env.PROFILE_CPU!, JSON.stringify(await profiler.stop()));
    await prisma.close();
  } finally {
    await database.drop().catch(() => {});
    await server.stop();
    if (process.env.PROFILE_KEEP) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** Live heap (node --expose-gc), or the heap as it stands. */
function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
}

async function startCpuProfile(): Promise<{ stop(): Promise<unknown> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 250 });
  await post('Profiler.start');
  return { stop: async () => ((await post('Profiler.stop')) as { profile: unknown }).profile };
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
