import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { silentLogger } from '../../daemon/log/types.ts';
import { gooseCommand } from '../helpers/goose.ts';
import { prismaGenerate, prismaPull, type PrismaContext } from '../../daemon/tools/prisma.ts';
import { PrismaWorker } from '../../daemon/tools/prisma-worker/client.ts';
import { runTool } from '../../daemon/tools/run.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { differingFiles, prismaOutput } from '../helpers/prisma-files.ts';
import { repoRoot } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { goose, gooseMissing, prismaCli, prismaMissing } from '../helpers/tools.ts';

/**
 * The warm worker against the Prisma CLI, byte for byte: for each database state of a sequence
 * of migrations, the same schema.prisma goes into `prisma db pull && prisma generate` and into
 * the worker's pull + generate, and schema.prisma and every generated file must come out equal.
 * Prisma's internal packages are not a stable API: a drift in them fails here, not for a user.
 */

const EMPTY_SCHEMA = `generator client {
  provider   = "prisma-client"
  output     = "../generated/prisma"
  engineType = "client"
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
`;

/** What a developer does by hand to a pulled schema; re-introspection must keep all of it. */
function handEdit(schema: string): string {
  const edited = schema
    .replace('model user_sessions {\n', '/// A signed-in browser.\nmodel UserSession {\n  @@map("user_sessions")\n')
    .replace(/ user_sessions\[\]/g, ' UserSession[]')
    .replace(/^(\s+)key_prefix(\s+)(.*)$/m, '$1keyPrefix$2$3 @map("key_prefix")')
    .replace(/^(\s+)projects(\s+)projects(\s+)@relation/gm, '$1project$2projects$3@relation')
    .replace(/^enum api_key_scope \{\n\s+read\n/m, 'enum api_key_scope {\n  READ @map("read")\n')
    .replace('@default(read)', '@default(READ)')
    .replace('model spaces {\n', 'model spaces {\n  /// Shown in the URL.\n');
  expect(edited).not.toBe(schema);
  return edited;
}

describeWith(
  'PostgreSQL, goose and prisma',
  gooseMissing ?? prismaMissing ?? postgresMissing(),
  'Prisma worker output is the CLI’s, byte for byte (Prisma 6)',
  () => {
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    let dir: string;
    let ctx: PrismaContext;
    let worker: PrismaWorker;
    /** The schema the next state starts from: what the CLI pulled in the previous one. */
    let input = EMPTY_SCHEMA;

    const sql = (text: string) => withClient(db.url, async (client) => void (await client.query(text)));
    const reset = (schema: string) => {
      writeFileSync(ctx.schema, schema);
      rmSync(join(dir, 'generated'), { recursive: true, force: true });
    };

    /** CLI, then worker, from the same input; returns the CLI's schema.prisma. */
    async function compare(schema: string): Promise<string> {
      reset(schema);
      await runTool(prismaPull(ctx), { cwd: dir, timeoutMs: 120_000 });
      await runTool(prismaGenerate(ctx), { cwd: dir, timeoutMs: 120_000 });
      const cli = prismaOutput(dir);
      reset(schema);
      const signal = new AbortController().signal;
      expect(await worker.run('pull', signal, 60_000)).toMatchObject({ served: true });
      const generated = await worker.run('generate', signal, 60_000);
      expect(generated).toMatchObject({ served: true });
      // This repository's Prisma is a build the generator memo has been reviewed for.
      expect(typeof (generated.served && generated.reuse)).toBe('object');
      const mine = prismaOutput(dir);
      expect(cli.size).toBeGreaterThan(10);
      expect(differingFiles(cli, mine)).toEqual([]);
      input = cli.get('prisma/schema.prisma')!;
      return input;
    }

    beforeAll(async () => {
      db = await createTestDatabase();
      const migrate = gooseCommand({ binary: goose!, dir: join(repoRoot, 'migrations/postgres'), driver: 'postgres', dbString: db.url }, { command: 'up' });
      await runTool(migrate, { cwd: repoRoot, timeoutMs: 60_000 });
      dir = mkdtempSync(join(tmpdir(), 'schemasync-identity-'));
      mkdirSync(join(dir, 'prisma'));
      cpSync(join(repoRoot, 'prisma.config.ts'), join(dir, 'prisma.config.ts'));
      cpSync(join(repoRoot, 'prisma/pg-adapter.ts'), join(dir, 'prisma/pg-adapter.ts'));
      writeFileSync(join(dir, 'prisma/schema.prisma'), EMPTY_SCHEMA);
      writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
      symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
      ctx = { cli: prismaCli!, schema: join(dir, 'prisma/schema.prisma'), configFile: join(dir, 'prisma.config.ts'), databaseUrl: db.url };
      const created = PrismaWorker.create({ ...ctx, projectRoot: dir, logger: silentLogger });
      expect(created, 'the repository has the worker packages at the CLI version').toBeDefined();
      worker = created!;
      expect(await worker.start()).toBe(true);
    });
    afterAll(async () => {
      await worker?.close();
      await db?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('first pull of the migrated example database', async () => {
      expect(await compare(input)).toMatch(/^model api_keys \{/m);
    });

    it('a new table', async () => {
      await sql('CREATE TABLE tags (id serial PRIMARY KEY, space_id uuid NOT NULL REFERENCES spaces (id) ON DELETE CASCADE, label text NOT NULL)');
      expect(await compare(input)).toMatch(/^model tags \{/m);
    });

    it('a new column', async () => {
      await sql('ALTER TABLE users ADD COLUMN nickname text');
      expect(await compare(input)).toMatch(/^\s+nickname\s+String\?$/m);
    });

    it('an enum', async () => {
      await sql(`CREATE TYPE tag_color AS ENUM ('red', 'green'); ALTER TABLE tags ADD COLUMN color tag_color NOT NULL DEFAULT 'red'`);
      expect(await compare(input)).toMatch(/^enum tag_color \{/m);
    });

    it('indexes', async () => {
      await sql('CREATE INDEX tags_label_idx ON tags (label); CREATE UNIQUE INDEX tags_space_label_key ON tags (space_id, label)');
      expect(await compare(input)).toContain('@@unique([space_id, label]');
    });

    it('a hand-edited schema (@@map, @map, /// comments, renamed relation fields, enum @map) and a new table', async () => {
      await sql('CREATE TABLE notes (id serial PRIMARY KEY, tag_id int NOT NULL REFERENCES tags (id), body text)');
      const schema = await compare(handEdit(input));
      expect(schema).toContain('@@map("user_sessions")');
      expect(schema).toContain('keyPrefix');
      expect(schema).toContain('READ  @map("read")');
      expect(schema).toMatch(/^model notes \{/m);
    });

    // What every model file reads besides the DMMF: the generator's options.
    it('the generator block changed: one preview feature, then another, then none', async () => {
      const withJoins = input.replace('engineType = "client"', 'engineType = "client"\n  previewFeatures = ["relationJoins"]');
      expect(withJoins).not.toBe(input);
      const joined = await compare(withJoins);
      expect(await compare(joined.replace('"relationJoins"', '"relationJoins", "strictUndefinedChecks"'))).toContain('strictUndefinedChecks');
      expect(await compare(EMPTY_SCHEMA)).not.toContain('previewFeatures');
    });
  },
);
