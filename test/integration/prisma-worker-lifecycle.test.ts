import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import type { Logger } from '../../daemon/log/types.ts';
import { gooseCommand } from '../helpers/goose.ts';
import { PrismaWorker, type PrismaWorkerSetup } from '../../daemon/tools/prisma-worker/client.ts';
import { runTool } from '../../daemon/tools/run.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { repoRoot } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { goose, gooseMissing, prismaCli, prismaMissing } from '../helpers/tools.ts';

/** The worker's life on a real project: config reload, memory bound, an engine it cannot serve. */

interface Line {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}
function capture(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (fields: Record<string, unknown> | string, message?: string) =>
    lines.push(typeof fields === 'string' ? { level, fields: {}, message: fields } : { level, fields, message: message ?? '' });
  const logger = {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: () => logger,
  } as Logger;
  return { logger, lines };
}

describeWith('PostgreSQL, goose and prisma', gooseMissing ?? prismaMissing ?? postgresMissing(), 'Prisma worker lifecycle', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  let setup: Omit<PrismaWorkerSetup, 'logger'>;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    db = await createTestDatabase();
    await runTool(gooseCommand({ binary: goose!, dir: join(repoRoot, 'migrations/postgres'), driver: 'postgres', dbString: db.url }, { command: 'up' }), {
      cwd: repoRoot,
      timeoutMs: 60_000,
    });
    dir = mkdtempSync(join(tmpdir(), 'schemasync-worker-life-'));
    mkdirSync(join(dir, 'prisma'));
    for (const file of ['prisma.config.ts', 'prisma/pg-adapter.ts', 'prisma/schema.prisma']) cpSync(join(repoRoot, file), join(dir, file));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    setup = { projectRoot: dir, cli: prismaCli!, schema: join(dir, 'prisma/schema.prisma'), configFile: join(dir, 'prisma.config.ts'), databaseUrl: db.url };
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds one database connection over many pulls (and the few its prefetch borrows), adding no pool listener per pull', async () => {
    const { logger, lines } = capture();
    const worker = PrismaWorker.create({ ...setup, logger })!;
    const connections = () =>
      withClient(db.url, async (client) => {
        const sql = 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()';
        return (await client.query<{ n: number }>(sql)).rows[0]!.n;
      });
    try {
      for (let i = 0; i < 3; i++) expect(await worker.run('pull', signal, 60_000)).toMatchObject({ served: true });
      const settled = await connections();
      for (let i = 0; i < 9; i++) expect(await worker.run('pull', signal, 60_000)).toMatchObject({ served: true });
      // The engine's connection, and the pool's for the slow queries sent ahead (query-prefetch.ts:
      // at most 3 at once), the same ones pull after pull.
      expect(settled).toBeGreaterThanOrEqual(1);
      expect(settled).toBeLessThanOrEqual(4);
      expect(await connections()).toBe(settled);
      // @prisma/adapter-pg adds a pool 'error' listener per connect(): Node warns past 10.
      expect(lines.filter((l) => l.fields.event === 'prisma-worker:stderr').map((l) => l.message)).toEqual([]);
    } finally {
      await worker.close();
    }
    // close() ends it.
    expect(await connections()).toBe(0);
  });

  it('reloads when prisma.config.ts changes', async () => {
    const { logger, lines } = capture();
    const worker = PrismaWorker.create({ ...setup, logger })!;
    try {
      expect(await worker.run('pull', signal, 60_000)).toMatchObject({ served: true });
      const first = worker.pid;
      appendFileSync(setup.configFile!, '\n// edited\n');
      expect(await worker.run('generate', signal, 60_000)).toMatchObject({ served: true });
      expect(worker.pid).not.toBe(first);
      expect(lines.filter((l) => l.fields.event === 'prisma-worker:reload').map((l) => l.message)).toEqual([
        'prisma.config.ts changed: reloading the Prisma worker',
      ]);
    } finally {
      await worker.close();
    }
  });

  it('is replaced after a request that leaves it past the memory bound, and keeps serving', async () => {
    const { logger, lines } = capture();
    const worker = PrismaWorker.create({ ...setup, logger, memoryLimitBytes: 50 * 2 ** 20 })!;
    try {
      expect(await worker.run('pull', signal, 60_000)).toMatchObject({ served: true });
      const first = worker.pid;
      expect(await worker.run('generate', signal, 60_000)).toMatchObject({ served: true });
      // Replaced after answering: the next one is already starting.
      expect(await worker.start()).toBe(true);
      expect(worker.pid).not.toBe(first);
      expect(lines.find((l) => l.fields.event === 'prisma-worker:recycle')?.message).toMatch(/^Prisma worker at \d+ MB \(bound 50 MB\): replacing it$/);
    } finally {
      await worker.close();
    }
  });

  it('restarts with twice the heap after running out of it (a large schema), without counting a crash', async () => {
    const { logger, lines } = capture();
    // 32 MB cannot even load Prisma's packages: the same death as a 300-table DMMF in 256 MB.
    const worker = PrismaWorker.create({ ...setup, logger, heapMb: 32 })!;
    try {
      let outcome = await worker.run('pull', signal, 120_000);
      for (let tries = 0; !outcome.served && tries < 5; tries++) outcome = await worker.run('pull', signal, 120_000);
      expect(outcome).toMatchObject({ served: true });
      const raised = lines.filter((l) => l.fields.event === 'prisma-worker:heap').map((l) => l.message);
      expect(raised[0]).toBe('Prisma worker out of heap (32 MB): restarting it with 64 MB');
      expect(lines.filter((l) => l.fields.event === 'prisma-worker:crash' || l.fields.event === 'prisma-worker:off')).toEqual([]);
    } finally {
      await worker.close();
    }
  });

  it('says once why it cannot serve a config without the JS engine, and stays off', async () => {
    const config = readFileSync(setup.configFile!, 'utf8');
    writeFileSync(setup.configFile!, config.replace("engine: 'js',", ''));
    const { logger, lines } = capture();
    const worker = PrismaWorker.create({ ...setup, logger })!;
    try {
      expect(await worker.start()).toBe(false);
      expect(await worker.run('pull', signal, 60_000)).toMatchObject({ served: false });
      const off = lines.filter((l) => l.fields.event === 'prisma-worker:off');
      expect(off.map((l) => l.message)).toEqual([
        "Prisma runs through its CLI: prisma.config.ts does not select `engine: 'js'` with an `adapter`: the worker pulls through the project's driver adapter only",
      ]);
      expect(worker.pid).toBeUndefined();
    } finally {
      await worker.close();
      writeFileSync(setup.configFile!, config);
    }
  });

  it('says at start-up that a generator it cannot run in-process leaves Prisma to the CLI', async () => {
    const schema = readFileSync(setup.schema, 'utf8');
    writeFileSync(setup.schema, `${schema}\ngenerator erd {\n  provider = "prisma-erd-generator"\n}\n`);
    const { logger, lines } = capture();
    const worker = PrismaWorker.create({ ...setup, logger })!;
    try {
      expect(await worker.start()).toBe(false);
      expect(lines.filter((l) => l.fields.event === 'prisma-worker:off').map((l) => l.message)).toEqual([
        'Prisma runs through its CLI: generator prisma-erd-generator is not one the worker runs in-process (prisma-client, prisma-client-js)',
      ]);
    } finally {
      await worker.close();
      writeFileSync(setup.schema, schema);
    }
  });
});
