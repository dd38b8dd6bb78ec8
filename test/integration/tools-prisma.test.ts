import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, expect, it } from 'vitest';

import type { ToolError } from '../../daemon/errors.ts';
import { gooseCommand } from '../helpers/goose.ts';
import { printedSchema, prismaGenerate, prismaPull, prismaPullPrint, type PrismaContext } from '../../daemon/tools/prisma.ts';
import { runTool } from '../../daemon/tools/run.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import { goose, gooseMissing, prismaCli, prismaMissing } from '../helpers/tools.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A schema before the first pull: what a new project starts from. */
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

/** The example project's Prisma files in a temp dir (pull rewrites the schema), sharing node_modules. */
function exampleCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'schemasync-prisma-'));
  cpSync(join(root, 'prisma.config.ts'), join(dir, 'prisma.config.ts'));
  cpSync(join(root, 'prisma/pg-adapter.ts'), join(dir, 'prisma/pg-adapter.ts'));
  writeFileSync(join(dir, 'prisma/schema.prisma'), EMPTY_SCHEMA);
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

describeWith(
  'PostgreSQL, goose and prisma',
  gooseMissing ?? prismaMissing ?? postgresMissing(),
  'prisma db pull and generate on the example project (Prisma 6, JS schema engine)',
  () => {
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    let dir: string;
    let ctx: PrismaContext;

    beforeAll(async () => {
      db = await createTestDatabase();
      const migrate = gooseCommand({ binary: goose!, dir: join(root, 'migrations/postgres'), driver: 'postgres', dbString: db.url }, { command: 'up' });
      await runTool(migrate, { cwd: root, timeoutMs: 60_000 });
      dir = exampleCopy();
      ctx = { cli: prismaCli!, schema: join(dir, 'prisma/schema.prisma'), configFile: join(dir, 'prisma.config.ts'), databaseUrl: db.url };
    });
    afterAll(() => db?.drop());

    it('db pull writes the models, enums and relations of the migrated database', async () => {
      await runTool(prismaPull(ctx), { cwd: dir, timeoutMs: 120_000 });
      const schema = readFileSync(ctx.schema, 'utf8');
      for (const model of ['spaces', 'users', 'projects', 'project_members', 'api_keys', 'user_sessions']) {
        expect(schema).toMatch(new RegExp(`^model ${model} \\{`, 'm'));
      }
      expect(schema).toMatch(/^enum api_key_scope \{\n\s+read\n\s+write\n\s+admin\n\}/m);
      expect(schema).toContain('spaces          spaces            @relation(fields: [space_id], references: [id], onDelete: Cascade');
      expect(schema).toContain('key_hash     Bytes         @unique');
    });

    it('db pull --print prints the same schema without touching the file', async () => {
      const before = readFileSync(ctx.schema, 'utf8');
      const { stdout } = await runTool(prismaPullPrint(ctx), { cwd: dir, timeoutMs: 120_000 });
      expect(printedSchema(stdout)).toMatch(/^model user_sessions \{/m);
      expect(readFileSync(ctx.schema, 'utf8')).toBe(before);
    });

    it('generate writes the client offline', async () => {
      await runTool(prismaGenerate(ctx), { cwd: dir, timeoutMs: 120_000 });
      expect(existsSync(join(dir, 'generated/prisma/client.ts'))).toBe(true);
      expect(readFileSync(join(dir, 'generated/prisma/models/api_keys.ts'), 'utf8')).toContain('key_prefix');
    });

    it('a database that does not exist fails as a ToolError without leaking the password', async () => {
      const url = new URL(db.url);
      url.pathname = '/schemasync_no_such_database';
      let error: ToolError | undefined;
      try {
        await runTool(prismaPullPrint({ ...ctx, databaseUrl: url.toString() }), { cwd: dir, timeoutMs: 120_000 });
      } catch (caught) {
        error = caught as ToolError;
      }
      expect(error?.code).toBe('TOOL');
      expect(error?.message).toBe('prisma db pull failed (exit 1): Error: Database `schemasync_no_such_database` does not exist');
      // The server's password (the embedded server has one) must appear nowhere in the report.
      if (url.password) expect(`${error?.message}\n${error?.details.outputTail}`).not.toContain(decodeURIComponent(url.password));
    });
  },
);
