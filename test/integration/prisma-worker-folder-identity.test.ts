import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { silentLogger } from '../../daemon/log/types.ts';
import { gooseCommand } from '../helpers/goose.ts';
import { prismaGenerate, prismaPull, type PrismaContext } from '../../daemon/tools/prisma.ts';
import { PrismaWorker } from '../../daemon/tools/prisma-worker/client.ts';
import { runTool } from '../../daemon/tools/run.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { differingFiles, prismaFolderOutput, splitByBlock } from '../helpers/prisma-files.ts';
import { repoRoot } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { goose, gooseMissing, prismaCli, prismaMissing } from '../helpers/tools.ts';

/**
 * The warm worker against the Prisma CLI on a multi-file schema (`schema: 'prisma/schema'`), byte
 * for byte: the same folder goes into `prisma db pull && prisma generate` and into the worker's
 * pull + generate, and every file of the folder and every generated file must come out equal.
 */

const MAIN_FILE = `generator client {
  provider   = "prisma-client"
  output     = "../../generated/prisma"
  engineType = "client"
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
`;

/** Folder-relative file name → text. */
type Folder = Map<string, string>;

describeWith(
  'PostgreSQL, goose and prisma',
  gooseMissing ?? prismaMissing ?? postgresMissing(),
  'Prisma worker output is the CLI’s on a schema folder, byte for byte (Prisma 6)',
  () => {
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    let dir: string;
    let folder: string;
    let ctx: PrismaContext;
    let worker: PrismaWorker;
    /** The folder the next state starts from: what the CLI left in the previous one. */
    let input: Folder = new Map([['schema.prisma', MAIN_FILE]]);

    const sql = (text: string) => withClient(db.url, async (client) => void (await client.query(text)));
    const reset = (files: Folder) => {
      rmSync(folder, { recursive: true, force: true });
      mkdirSync(folder);
      for (const [name, text] of files) writeFileSync(join(folder, name), text);
      rmSync(join(dir, 'generated'), { recursive: true, force: true });
    };
    /** The folder part of an output, by folder-relative name. */
    const folderOf = (output: Map<string, string>): Folder =>
      new Map([...output].filter(([name]) => name.startsWith('prisma/schema/')).map(([name, text]) => [name.slice('prisma/schema/'.length), text]));

    /** CLI, then worker, from the same folder; returns the CLI's folder. */
    async function compare(files: Folder): Promise<Folder> {
      reset(files);
      await runTool(prismaPull(ctx), { cwd: dir, timeoutMs: 120_000 });
      await runTool(prismaGenerate(ctx), { cwd: dir, timeoutMs: 120_000 });
      const cli = prismaFolderOutput(dir);
      reset(files);
      const signal = new AbortController().signal;
      expect(await worker.run('pull', signal, 60_000)).toMatchObject({ served: true });
      expect(await worker.run('generate', signal, 60_000)).toMatchObject({ served: true });
      const mine = prismaFolderOutput(dir);
      expect(cli.size).toBeGreaterThan(10);
      expect(differingFiles(cli, mine)).toEqual([]);
      input = folderOf(cli);
      return input;
    }

    beforeAll(async () => {
      db = await createTestDatabase();
      const migrate = gooseCommand({ binary: goose!, dir: join(repoRoot, 'migrations/postgres'), driver: 'postgres', dbString: db.url }, { command: 'up' });
      await runTool(migrate, { cwd: repoRoot, timeoutMs: 60_000 });
      dir = mkdtempSync(join(tmpdir(), 'schemasync-folder-identity-'));
      folder = join(dir, 'prisma/schema');
      mkdirSync(folder, { recursive: true });
      const config = readFileSync(join(repoRoot, 'prisma.config.ts'), 'utf8').replace("schema: 'prisma/schema.prisma'", "schema: 'prisma/schema'");
      writeFileSync(join(dir, 'prisma.config.ts'), config);
      cpSync(join(repoRoot, 'prisma/pg-adapter.ts'), join(dir, 'prisma/pg-adapter.ts'));
      writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
      symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
      ctx = { cli: prismaCli!, schema: folder, configFile: join(dir, 'prisma.config.ts'), databaseUrl: db.url };
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

    it('first pull of a folder holding one file: the models join it', async () => {
      const pulled = await compare(input);
      expect([...pulled.keys()]).toEqual(['schema.prisma']);
      expect(pulled.get('schema.prisma')).toMatch(/^model api_keys \{/m);
      // The project split by domain, from here on: one file per model and enum.
      input = splitByBlock([...pulled.values()].join('\n'));
      expect(input.get('users.prisma')).toMatch(/^model users \{/m);
    });

    it('a new table goes to introspected.prisma, every other file stays', async () => {
      const before = input;
      await sql('CREATE TABLE tags (id serial PRIMARY KEY, space_id uuid NOT NULL REFERENCES spaces (id) ON DELETE CASCADE, label text NOT NULL)');
      const pulled = await compare(input);
      expect(pulled.get('introspected.prisma')).toMatch(/^model tags \{/m);
      expect(pulled.get('users.prisma')).toBe(before.get('users.prisma'));
    });

    it('a new column stays in its model’s file', async () => {
      await sql('ALTER TABLE users ADD COLUMN nickname text');
      const pulled = await compare(input);
      expect(pulled.get('users.prisma')).toMatch(/^\s+nickname\s+String\?$/m);
    });

    it('an enum', async () => {
      await sql(`CREATE TYPE tag_color AS ENUM ('red', 'green'); ALTER TABLE tags ADD COLUMN color tag_color NOT NULL DEFAULT 'red'`);
      const pulled = await compare(input);
      expect([...pulled.values()].join('\n')).toMatch(/^enum tag_color \{/m);
    });

    it('a dropped table leaves its file as the CLI leaves it', async () => {
      input = splitByBlock([...input.values()].join('\n'));
      expect(input.has('tags.prisma')).toBe(true);
      await sql('DROP TABLE tags');
      const pulled = await compare(input);
      expect([...pulled.values()].join('\n')).not.toMatch(/^model tags \{/m);
      // Prisma writes the introspected text of every file it read: tags.prisma stays, emptied.
      expect(pulled.get('tags.prisma')).toBe('\n');
    });

    it('hand-edited model files (@@map, @map, /// comments, renamed relation fields) and a new table', async () => {
      const edit = (name: string, change: (text: string) => string) => {
        const text = input.get(name)!;
        const edited = change(text);
        expect(edited, name).not.toBe(text);
        input.set(name, edited);
      };
      edit('user_sessions.prisma', (t) => t.replace('model user_sessions {\n', '/// A signed-in browser.\nmodel UserSession {\n  @@map("user_sessions")\n'));
      edit('users.prisma', (t) => t.replace(/ user_sessions\[\]/g, ' UserSession[]'));
      edit('api_keys.prisma', (t) => t.replace(/^(\s+)key_prefix(\s+)(.*)$/m, '$1keyPrefix$2$3 @map("key_prefix")'));
      edit('spaces.prisma', (t) => t.replace('model spaces {\n', 'model spaces {\n  /// Shown in the URL.\n'));
      await sql('CREATE TABLE notes (id serial PRIMARY KEY, space_id uuid NOT NULL REFERENCES spaces (id), body text)');
      const pulled = await compare(input);
      expect(pulled.get('user_sessions.prisma')).toContain('@@map("user_sessions")');
      expect(pulled.get('api_keys.prisma')).toContain('keyPrefix');
      expect(pulled.get('spaces.prisma')).toContain('/// Shown in the URL.');
      expect(pulled.get('introspected.prisma')).toMatch(/^model notes \{/m);
    });
  },
);
