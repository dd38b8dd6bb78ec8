import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { silentLogger } from '../../daemon/log/types.ts';
import { gooseCommand } from '../helpers/goose.ts';
import { prismaGenerate, type PrismaContext } from '../../daemon/tools/prisma.ts';
import { PrismaWorker } from '../../daemon/tools/prisma-worker/client.ts';
import { runTool } from '../../daemon/tools/run.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { differingFiles, prismaOutput } from '../helpers/prisma-files.ts';
import { repoRoot } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { goose, gooseMissing } from '../helpers/tools.ts';

/**
 * A Prisma 7 project (test/fixtures/prisma7, its own node_modules) run for real. The 7.x CLI's
 * `db pull` needs a native schema engine it downloads, so offline only the worker can pull: its
 * schema is checked against the expected one. `generate` runs offline in both: byte for byte.
 */

const fixture = join(repoRoot, 'test/fixtures/prisma7');
const cli = join(fixture, 'node_modules/prisma/build/index.js');
const fixtureMissing = existsSync(cli)
  ? undefined
  : 'test/fixtures/prisma7 is not installed (npm ci --prefer-offline --ignore-scripts --prefix test/fixtures/prisma7)';

describeWith('PostgreSQL, goose and the Prisma 7 fixture', fixtureMissing ?? gooseMissing ?? postgresMissing(), 'Prisma worker on a Prisma 7 project', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  let ctx: PrismaContext;
  let worker: PrismaWorker;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    db = await createTestDatabase();
    const migrate = gooseCommand({ binary: goose!, dir: join(repoRoot, 'migrations/postgres'), driver: 'postgres', dbString: db.url }, { command: 'up' });
    await runTool(migrate, { cwd: repoRoot, timeoutMs: 60_000 });
    dir = mkdtempSync(join(tmpdir(), 'schemasync-prisma7-'));
    mkdirSync(join(dir, 'prisma'));
    for (const file of ['package.json', 'prisma.config.ts', 'prisma/schema.prisma']) cpSync(join(fixture, file), join(dir, file));
    symlinkSync(join(fixture, 'node_modules'), join(dir, 'node_modules'));
    ctx = { cli, schema: join(dir, 'prisma/schema.prisma'), configFile: join(dir, 'prisma.config.ts'), databaseUrl: db.url };
    const created = PrismaWorker.create({ ...ctx, projectRoot: dir, logger: silentLogger });
    expect(created, 'the fixture has the worker packages at its CLI version').toBeDefined();
    worker = created!;
    expect(await worker.start()).toBe(true);
  });
  afterAll(async () => {
    await worker?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pulls the migrated database in-process: the expected 7.x schema', async () => {
    expect(await worker.run('pull', signal, 60_000)).toMatchObject({ served: true });
    expect(readFileSync(ctx.schema, 'utf8')).toBe(readFileSync(join(fixture, 'expected.prisma'), 'utf8'));
  });

  it('generates byte for byte what `prisma generate` 7.x does', async () => {
    // Offline, the 7.x CLI's generate only wants some schema engine file to exist; it never runs it.
    const command = prismaGenerate(ctx);
    await runTool({ ...command, env: { ...command.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath } }, { cwd: dir, timeoutMs: 120_000 });
    const fromCli = prismaOutput(dir);
    rmSync(join(dir, 'generated'), { recursive: true, force: true });
    expect(await worker.run('generate', signal, 60_000)).toMatchObject({ served: true });
    const mine = prismaOutput(dir);
    expect(fromCli.size).toBeGreaterThan(10);
    expect(differingFiles(fromCli, mine)).toEqual([]);
  });
});
