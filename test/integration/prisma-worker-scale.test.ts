import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { silentLogger } from '../../daemon/log/types.ts';
import { gooseCommand } from '../helpers/goose.ts';
import { prismaGenerate, prismaPull, type PrismaContext } from '../../daemon/tools/prisma.ts';
import { PrismaWorker } from '../../daemon/tools/prisma-worker/client.ts';
import { runTool } from '../../daemon/tools/run.ts';
import { writeGeneratedMigrations } from '../helpers/generated-schema.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { differingFiles, prismaOutput } from '../helpers/prisma-files.ts';
import { repoRoot } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { goose, gooseMissing, prismaCli, prismaMissing } from '../helpers/tools.ts';

/**
 * The warm worker against the Prisma CLI at real sizes (80 generated tables; a multi-schema
 * project), byte for byte. Unlike prisma-worker-identity.test.ts the worker runs on top of the
 * output already there, as in the daemon: it writes only the files whose content changed, and
 * the folder must still end up exactly as the CLI leaves it, while unchanged files keep their
 * inode and mtime (a bundler watching them sees nothing happen to them).
 */

const schemaFor = (namespaces?: string[]) => `generator client {
  provider   = "prisma-client"
  output     = "../generated/prisma"
  engineType = "client"
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")${namespaces ? `\n  schemas  = [${namespaces.map((n) => `"${n}"`).join(', ')}]` : ''}
}
`;

interface Project {
  dir: string;
  sql(text: string): Promise<void>;
  /** The worker's pull + generate on the state as it is, then the CLI's from the same schema; both outputs. */
  compare(
    afterWorker?: (worker: Map<string, string>) => void,
  ): Promise<{ cli: Map<string, string>; worker: Map<string, string>; reuse: Record<string, number> }>;
  close(): Promise<void>;
}

type Stamp = { ino: number; mtimeMs: number };

async function openProject(prepare: (url: string) => Promise<void>, namespaces?: string[]): Promise<Project> {
  const db = await createTestDatabase();
  await prepare(db.url);
  const dir = mkdtempSync(join(tmpdir(), 'schemasync-scale-'));
  mkdirSync(join(dir, 'prisma'));
  cpSync(join(repoRoot, 'prisma.config.ts'), join(dir, 'prisma.config.ts'));
  cpSync(join(repoRoot, 'prisma/pg-adapter.ts'), join(dir, 'prisma/pg-adapter.ts'));
  writeFileSync(join(dir, 'prisma/schema.prisma'), schemaFor(namespaces));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  const ctx: PrismaContext = { cli: prismaCli!, schema: join(dir, 'prisma/schema.prisma'), configFile: join(dir, 'prisma.config.ts'), databaseUrl: db.url };
  const worker = PrismaWorker.create({ ...ctx, projectRoot: dir, logger: silentLogger });
  expect(worker, 'the repository has the worker packages at the CLI version').toBeDefined();
  expect(await worker!.start()).toBe(true);
  let input = schemaFor(namespaces);
  const signal = new AbortController().signal;
  return {
    dir,
    sql: (text) => withClient(db.url, async (client) => void (await client.query(text))),
    async compare(afterWorker) {
      writeFileSync(ctx.schema, input);
      expect(await worker!.run('pull', signal, 120_000)).toMatchObject({ served: true });
      const generated = await worker!.run('generate', signal, 120_000);
      expect(generated, JSON.stringify(generated).slice(0, 3000)).toMatchObject({ served: true });
      // The generator's memo is on (generator-memo.ts: this repository's Prisma is a reviewed build).
      const reuse = generated.served ? generated.reuse : undefined;
      expect(typeof reuse, JSON.stringify(reuse)).toBe('object');
      const mine = prismaOutput(dir);
      afterWorker?.(mine);
      writeFileSync(ctx.schema, input);
      await runTool(prismaPull(ctx), { cwd: dir, timeoutMs: 180_000 });
      await runTool(prismaGenerate(ctx), { cwd: dir, timeoutMs: 180_000 });
      const cli = prismaOutput(dir);
      expect(cli.size).toBeGreaterThan(10);
      expect(differingFiles(cli, mine)).toEqual([]);
      input = cli.get('prisma/schema.prisma')!;
      return { cli, worker: mine, reuse: reuse as Record<string, number> };
    },
    async close() {
      await worker?.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function stamps(dir: string, files: Iterable<string>): Map<string, Stamp> {
  return new Map([...files].filter((f) => f.startsWith('generated/')).map((f) => [f, (({ ino, mtimeMs }) => ({ ino, mtimeMs }))(statSync(join(dir, f)))]));
}

describeWith('PostgreSQL, goose and prisma', gooseMissing ?? prismaMissing ?? postgresMissing(), 'Prisma worker at 80 generated tables', () => {
  let project: Project;
  beforeAll(async () => {
    const migrations = mkdtempSync(join(tmpdir(), 'schemasync-gen80-'));
    await writeGeneratedMigrations(migrations, 80);
    project = await openProject(async (url) => {
      await runTool(gooseCommand({ binary: goose!, dir: migrations, driver: 'postgres', dbString: url }, { command: 'up' }), {
        cwd: migrations,
        timeoutMs: 120_000,
      });
      rmSync(migrations, { recursive: true, force: true });
    });
  }, 300_000);
  afterAll(() => project?.close());

  it('first pull: byte-identical to the CLI', async () => {
    const { cli } = await project.compare();
    expect(cli.get('prisma/schema.prisma')).toMatch(/^model gen_t080 \{/m);
  }, 300_000);

  it('a new table: identical, and the files that did not change keep their inode and mtime', async () => {
    const contents = prismaOutput(project.dir);
    const before = stamps(project.dir, contents.keys());
    await project.sql('CREATE TABLE gen_extra (id serial PRIMARY KEY, label text NOT NULL)');
    let kept: string[] = [];
    let rewritten: string[] = [];
    // Looked at right after the worker's run, before the CLI's rewrite.
    const { worker } = await project.compare((mine) => {
      const after = stamps(project.dir, before.keys());
      const same = [...before.keys()].filter((f) => mine.get(f) === contents.get(f));
      kept = same.filter((f) => after.get(f)?.ino === before.get(f)?.ino && after.get(f)?.mtimeMs === before.get(f)?.mtimeMs);
      rewritten = [...before.keys()].filter((f) => !same.includes(f));
      expect(kept).toEqual(same);
    });
    expect(kept).toContain('generated/prisma/models/gen_t040.ts');
    expect(kept.length).toBeGreaterThan(70);
    expect(rewritten.length).toBeLessThan(10);
    expect(worker.has('generated/prisma/models/gen_extra.ts')).toBe(true);
  }, 300_000);

  it('a new table pointing at the hub and at a middle table: only those models are rendered again', async () => {
    await project.sql(
      'CREATE TABLE gen_link (id bigserial PRIMARY KEY, hub_id bigint NOT NULL REFERENCES gen_t001 (id), t040_id bigint REFERENCES gen_t040 (id), note text)',
    );
    const { worker, reuse } = await project.compare();
    expect(worker.get('generated/prisma/models/gen_t040.ts')).toContain('gen_link');
    expect(reuse['model.rendered']).toBe(3); // gen_link, and the hub and gen_t040 it adds a relation to
    expect(reuse['model.reused']).toBeGreaterThan(75);
  }, 300_000);

  it('a column type no table had (its filter types new to the schema): only the new model is rendered again', async () => {
    // bytea: BytesFilter and its kin appear, which take the generic argument; other models never ask about them.
    await project.sql('CREATE TABLE gen_blob (id serial PRIMARY KEY, body bytea NOT NULL, thumb bytea)');
    const { worker, reuse } = await project.compare();
    expect(worker.get('generated/prisma/commonInputTypes.ts')).toContain('BytesFilter<$PrismaModel');
    expect(reuse['model.rendered']).toBe(1);
    expect(reuse['model.reused']).toBeGreaterThan(80);
  }, 300_000);

  it('changes felt in other models: a column on the hub, an enum value, a relation between two existing tables', async () => {
    await project.sql(
      "ALTER TABLE gen_t001 ADD COLUMN archived_at timestamptz; ALTER TYPE gen_status ADD VALUE 'on_hold'; ALTER TABLE gen_t010 ADD COLUMN t070_id bigint REFERENCES gen_t070 (id) ON DELETE SET NULL",
    );
    const { reuse } = await project.compare();
    expect(reuse['model.reused']).toBeGreaterThan(0);
  }, 300_000);

  it('a column dropped and the link table gone', async () => {
    await project.sql('ALTER TABLE gen_t001 DROP COLUMN archived_at; DROP TABLE gen_link');
    await project.compare();
  }, 300_000);

  it('a dropped table: its model file goes, as with the CLI', async () => {
    await project.sql('DROP TABLE gen_extra');
    const { worker } = await project.compare();
    expect(worker.has('generated/prisma/models/gen_extra.ts')).toBe(false);
  }, 300_000);
});

describeWith('PostgreSQL, goose and prisma', gooseMissing ?? prismaMissing ?? postgresMissing(), 'Prisma worker on a multi-schema project', () => {
  let project: Project;
  beforeAll(async () => {
    project = await openProject(
      (url) =>
        withClient(url, async (client) => {
          await client.query(`
            CREATE SCHEMA app; CREATE SCHEMA audit;
            CREATE TYPE app.role AS ENUM ('owner', 'member');
            CREATE TABLE app.accounts (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, role app.role NOT NULL DEFAULT 'member', created_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE app.projects (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), account_id bigint NOT NULL REFERENCES app.accounts (id) ON DELETE CASCADE, name varchar(120) NOT NULL, settings jsonb);
            CREATE TABLE audit.events (id bigserial PRIMARY KEY, account_id bigint REFERENCES app.accounts (id), project_id uuid REFERENCES app.projects (id), kind text NOT NULL, at timestamptz NOT NULL DEFAULT now());
            CREATE INDEX events_kind_at_idx ON audit.events (kind, at);
            CREATE TABLE audit.accounts (id bigserial PRIMARY KEY, note text);
            CREATE TABLE public.not_pulled (id serial PRIMARY KEY);`);
        }),
      ['app', 'audit'],
    );
  });
  afterAll(() => project?.close());

  it('first pull: byte-identical to the CLI (same table name in two schemas, cross-schema relations)', async () => {
    const { cli } = await project.compare();
    expect(cli.get('prisma/schema.prisma')).toContain('@@schema("audit")');
    expect(cli.get('prisma/schema.prisma')).not.toContain('not_pulled');
  }, 300_000);

  it('a new table and a new column in the second schema', async () => {
    await project.sql(
      'CREATE TABLE audit.exports (id serial PRIMARY KEY, project_id uuid REFERENCES app.projects (id)); ALTER TABLE audit.events ADD COLUMN detail jsonb',
    );
    const { cli } = await project.compare();
    expect(cli.get('prisma/schema.prisma')).toMatch(/^model exports \{/m);
  }, 300_000);
});
