import { cp, mkdtemp, mkdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { checkMigrations } from '../../daemon/drift/migrations.ts';
import { checkShadow } from '../../daemon/drift/shadow.ts';
import { silentLogger } from '../../daemon/log/types.ts';
import { migrateUp, type EngineContext } from '../../daemon/engine/index.ts';
import { locatePrismaCli } from '../../daemon/tools/locate.ts';
import { printedSchema, prismaPullPrint } from '../../daemon/tools/prisma.ts';
import { runTool } from '../../daemon/tools/run.ts';
import { createPostgresTarget } from '../../daemon/targets/postgres/target.ts';
import type { Target } from '../../daemon/targets/target.ts';
import { createTestDatabase, postgresAdminUrl, postgresMissing, withClient } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';

const USERS = `-- +goose Up
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);
CREATE INDEX users_email_idx ON users (email);

-- +goose Down
DROP TABLE users;
`;
const POSTS = `-- +goose Up
CREATE TABLE posts (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users (id));

-- +goose Down
DROP TABLE posts;
`;
/** Its Down forgets the column: the rollback check must name this file. */
const AGE_BAD_DOWN = `-- +goose Up
ALTER TABLE users ADD COLUMN age int;

-- +goose Down
SELECT 1;
`;
const AGE = AGE_BAD_DOWN.replace('SELECT 1;', 'ALTER TABLE users DROP COLUMN age;');

describeWith('PostgreSQL', postgresMissing(), 'drift on PostgreSQL: ledger, migration findings, shadow, rollback, re-apply', () => {
  let root: string;
  let dir: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let target: Target;
  const sql = <R extends Record<string, unknown>>(text: string) => withClient(database.url, async (c) => (await c.query<R>(text)).rows);
  const write = (name: string, text: string) => writeFile(path.join(dir, name), text);
  const ctx = (): EngineContext => ({ target, dir, projectRoot: root, env: {}, logger: silentLogger, allowMissing: false, lockTimeoutMs: 10_000 });
  /** The shadow databases this file's checks created that still exist (other test files make their own on the same server). */
  const created: string[] = [];
  const shadows = async () =>
    (await withClient(postgresAdminUrl(), (c) => c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname = ANY($1)`, [created]))).rows.map(
      (row) => row.datname,
    );
  const messages = (report: { findings: Array<{ message: string }> }) => report.findings.map((finding) => finding.message);

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'schemasync-drift-pg-'));
    dir = path.join(root, 'migrations', 'postgres');
    await mkdir(dir, { recursive: true });
    await write('00001_users.sql', USERS);
    await write('00002_posts.sql', POSTS);
    database = await createTestDatabase();
    target = createPostgresTarget(database.url, { logger: silentLogger });
    const createShadow = target.createShadow!.bind(target);
    target.createShadow = async () => {
      const shadow = await createShadow();
      if ('name' in shadow) created.push(shadow.name);
      return shadow;
    };
  });
  afterAll(async () => {
    await target?.close();
    await database?.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('records every applied migration in schemasync.migrations, which the catalog leaves out', async () => {
    const result = await migrateUp(ctx());
    expect(result.error).toBeUndefined();
    const entries = await target.ledger!.list();
    expect(entries.map(({ version, file, text, appliedBy }) => ({ version, file, text, appliedBy }))).toEqual([
      { version: 1, file: '00001_users.sql', text: USERS, appliedBy: 'schemasync' },
      { version: 2, file: '00002_posts.sql', text: POSTS, appliedBy: 'schemasync' },
    ]);
    expect((await target.introspect()).some((entry) => entry.name.includes('migrations'))).toBe(false);
    expect(await checkMigrations(target, { dir, projectRoot: root })).toEqual({ findings: [], unchecked: [] });
  });

  it('prisma db pull does not see the ledger schema', async () => {
    const repo = path.resolve(import.meta.dirname, '../..');
    const cli = await locatePrismaCli(repo);
    expect(cli, 'the prisma package is installed').toBeDefined();
    const prismaDir = path.join(root, 'prisma-copy');
    await mkdir(path.join(prismaDir, 'prisma'), { recursive: true });
    await cp(path.join(repo, 'prisma.config.ts'), path.join(prismaDir, 'prisma.config.ts'));
    await cp(path.join(repo, 'prisma/pg-adapter.ts'), path.join(prismaDir, 'prisma/pg-adapter.ts'));
    await writeFile(path.join(prismaDir, 'package.json'), '{ "type": "module" }\n');
    await writeFile(
      path.join(prismaDir, 'prisma/schema.prisma'),
      'generator client {\n  provider = "prisma-client"\n  output   = "../generated/prisma"\n  engineType = "client"\n}\n\ndatasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
    );
    await symlink(path.join(repo, 'node_modules'), path.join(prismaDir, 'node_modules'));
    const context = {
      cli: cli!,
      schema: path.join(prismaDir, 'prisma/schema.prisma'),
      configFile: path.join(prismaDir, 'prisma.config.ts'),
      databaseUrl: database.url,
    };
    const schema = printedSchema((await runTool(prismaPullPrint(context), { cwd: prismaDir, timeoutMs: 120_000 })).stdout);
    expect(schema).toMatch(/^model users \{/m);
    expect(schema).not.toMatch(/^model migrations \{/m);
    expect(schema).not.toContain('schemasync');
  });

  it('adopts versions goose applied (no ledger entry) once, with the current file text', async () => {
    await sql('DELETE FROM schemasync.migrations WHERE version = 2');
    expect((await migrateUp(ctx())).error).toBeUndefined();
    const adopted = (await target.ledger!.list()).find((entry) => entry.version === 2);
    expect(adopted).toMatchObject({ appliedBy: 'adopted', text: POSTS });
  });

  it('a clean database matches its shadow, and the shadow database is dropped afterwards', async () => {
    const before = created.length;
    expect(await checkShadow(target, { dir, projectRoot: root, env: {} })).toEqual({ findings: [], unchecked: [] });
    expect(created.length).toBe(before + 1);
    expect(await shadows()).toEqual([]);
  });

  it('names a column added by hand, and is clean once it is dropped again', async () => {
    await sql('ALTER TABLE users ADD COLUMN nickname text');
    const report = await checkShadow(target, { dir, projectRoot: root, env: {} });
    expect(report.unchecked).toEqual([]);
    expect(report.findings).toEqual([
      expect.objectContaining({
        kind: 'schema',
        target: 'postgres',
        message: 'column users.nickname text exists in the database, but no migration creates it',
      }),
    ]);
    await sql('DROP INDEX users_email_idx');
    expect(messages(await checkShadow(target, { dir, projectRoot: root, env: {} }))).toContain('index users_email_idx is missing from the database');
    await sql('ALTER TABLE users DROP COLUMN nickname');
    await sql('CREATE INDEX users_email_idx ON users (email)');
    expect(await checkShadow(target, { dir, projectRoot: root, env: {} })).toEqual({ findings: [], unchecked: [] });
    expect(await shadows()).toEqual([]);
  });

  it('reports an applied file that was edited, with the file and a diff, until the edit is reverted', async () => {
    await write('00001_users.sql', USERS.replace('email text NOT NULL', 'email varchar(320) NOT NULL'));
    const report = await checkMigrations(target, { dir, projectRoot: root });
    expect(report.findings).toEqual([
      expect.objectContaining({
        kind: 'migration-edited',
        file: 'migrations/postgres/00001_users.sql',
        message: 'migrations/postgres/00001_users.sql was edited after it was applied on postgres; the database still has the applied version',
        detail: expect.stringContaining('+CREATE TABLE users (id int PRIMARY KEY, email varchar(320) NOT NULL);') as string,
      }),
    ]);
    // The shadow, built from the edited file, disagrees with the database too.
    expect(messages(await checkShadow(target, { dir, projectRoot: root, env: {} }))).toContain(
      'column users.email is character varying(320) in the migrations but text in the database',
    );
    await write('00001_users.sql', USERS);
    expect((await checkMigrations(target, { dir, projectRoot: root })).findings).toEqual([]);
  });

  it('reports an applied version whose file is gone', async () => {
    await unlink(path.join(dir, '00002_posts.sql'));
    const report = await checkMigrations(target, { dir, projectRoot: root });
    expect(report.findings).toEqual([
      expect.objectContaining({
        kind: 'migration-file-missing',
        message: 'version 2 is applied on postgres, but its file is gone from migrations/postgres (it was 00002_posts.sql)',
      }),
    ]);
    await write('00002_posts.sql', POSTS);
    expect((await checkMigrations(target, { dir, projectRoot: root })).findings).toEqual([]);
  });

  it('the rollback check names a Down that does not restore the schema, and passes once it does', async () => {
    await write('00003_age.sql', AGE_BAD_DOWN);
    const report = await checkShadow(target, { dir, projectRoot: root, env: {} }, { rollback: true });
    expect(report.findings).toEqual([
      expect.objectContaining({
        kind: 'rollback',
        file: 'migrations/postgres/00003_age.sql',
        message:
          'the Down of migrations/postgres/00003_age.sql does not restore the schema from before its Up: column users.age integer is still there after the Down',
      }),
    ]);
    await write('00003_age.sql', AGE);
    expect(await checkShadow(target, { dir, projectRoot: root, env: {} }, { rollback: true })).toEqual({ findings: [], unchecked: [] });
    expect(await shadows()).toEqual([]);
  });

  it('re-applies the edited newest migration atomically; a broken new Up leaves the old schema and ledger', async () => {
    expect((await migrateUp(ctx())).error).toBeUndefined();
    const columnType = async () =>
      (await sql<{ data_type: string }>(`SELECT data_type FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'age'`))[0]?.data_type;
    expect(await columnType()).toBe('integer');

    const edited = AGE.replace('ADD COLUMN age int', 'ADD COLUMN age bigint');
    await write('00003_age.sql', edited);
    // Not selected (not among the changed files): nothing is applied, the edit is drift.
    expect((await migrateUp(ctx(), { reapplyIf: () => false })).applied).toEqual([]);
    expect((await checkMigrations(target, { dir, projectRoot: root })).findings.map((f) => f.kind)).toEqual(['migration-edited']);

    const result = await migrateUp(ctx(), { reapplyIf: (file) => file.version === 3 });
    expect(result.error).toBeUndefined();
    expect(result.applied.map((a) => `${a.direction} ${a.version}`)).toEqual(['down 3', 'up 3']);
    expect(await columnType()).toBe('bigint');
    expect((await target.ledger!.list()).find((e) => e.version === 3)?.text).toBe(edited);
    expect((await checkMigrations(target, { dir, projectRoot: root })).findings).toEqual([]);

    await write('00003_age.sql', edited.replace('ADD COLUMN age bigint', 'ADD COLUMN age bigint REFERENCES nowhere (id)'));
    const broken = await migrateUp(ctx(), { reapplyIf: () => true });
    expect(broken.error).toMatchObject({ code: 'MIGRATION', details: { file: 'migrations/postgres/00003_age.sql', direction: 'up', rolledBack: true } });
    expect(await columnType()).toBe('bigint');
    expect((await target.ledger!.list()).find((e) => e.version === 3)?.text).toBe(edited);
    await write('00003_age.sql', edited);
  });

  it('says so, and skips the shadow check, when the role may not create databases', async () => {
    const role = `schemasync_nocreate_${process.pid}`;
    await sql(`CREATE ROLE ${role} LOGIN PASSWORD 'pw' NOCREATEDB; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    const url = new URL(database.url);
    url.username = role;
    url.password = 'pw';
    const limited = createPostgresTarget(url.toString(), { logger: silentLogger });
    try {
      const report = await checkShadow(limited, { dir, projectRoot: root, env: {} });
      expect(report.findings).toEqual([]);
      expect(report.unchecked).toEqual([
        { check: 'shadow:postgres', reason: expect.stringContaining(`the role "${role}" may not create databases`) as string, skipped: true },
      ]);
    } finally {
      await limited.close();
      await sql(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}; DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });

  it('reads the ledger once for an up that applies nothing, once more for one that applies, and drift reuses what up read', async () => {
    const ledger = target.ledger!;
    const list = ledger.list.bind(ledger);
    let reads = 0;
    ledger.list = () => {
      reads++;
      return list();
    };
    try {
      const idle = await migrateUp(ctx());
      expect(idle.error).toBeUndefined();
      expect(reads).toBe(1);
      expect((await checkMigrations(target, { dir, projectRoot: root, ...(idle.ledger ? { ledger: idle.ledger } : {}) })).findings).toEqual([]);
      expect(reads).toBe(1);

      await write('00004_more.sql', '-- +goose Up\nCREATE TABLE more (id int);\n-- +goose Down\nDROP TABLE more;\n');
      const applying = await migrateUp(ctx());
      expect(applying.applied.map((a) => a.version)).toEqual([4]);
      expect(reads).toBe(3);
      expect(applying.ledger?.map((entry) => entry.version)).toContain(4);
    } finally {
      ledger.list = list;
    }
  });
});
