import { readFileSync, rmSync, writeFileSync } from 'node:fs';

import { afterAll, beforeAll, expect, it } from 'vitest';

import type { Finding } from '../../daemon/drift/types.ts';
import { runSchemasync } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { copyExampleProject, type TempProject } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { prismaMissing, sqlc, sqlcMissing } from '../helpers/tools.ts';

interface VerifyJson {
  ok: boolean;
  findings: Finding[];
  unchecked: Array<{ check: string; reason: string }>;
}

describeWith('PostgreSQL, prisma and sqlc', sqlcMissing ?? prismaMissing ?? postgresMissing(), 'schemasync verify on the example project', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let project: TempProject;
  const env = () => ({
    DATABASE_URL: db.url,
    CLICKHOUSE_URL: '',
    SQLC_BIN: sqlc!,
  });
  const verify = (...args: string[]) => runSchemasync(['verify', ...args], { cwd: project.root, env: env() });
  const verifyJson = async (...args: string[]) => {
    const result = await verify('--json', ...args);
    return {
      code: result.code,
      report: JSON.parse(result.stdout) as VerifyJson,
      output: result.output,
    };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    project = await copyExampleProject({
      without: ['migrations/clickhouse'],
    });
    const sync = await runSchemasync(['sync'], {
      cwd: project.root,
      env: env(),
    });
    expect(sync.code, sync.output).toBe(0);
  });
  afterAll(async () => {
    await project?.remove();
    await db?.drop();
  });

  it('exits 0 and says so when everything follows the migrations', async () => {
    const result = await verify();
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('✔ in sync');
  });

  it('finds a column added by hand (exit 1, naming it, with --json shape), and clears once it is dropped', async () => {
    await withClient(db.url, (client) => client.query('ALTER TABLE users ADD COLUMN nickname text'));
    const drifted = await verifyJson();
    expect(drifted.code, drifted.output).toBe(1);
    expect(drifted.report.ok).toBe(false);
    expect(drifted.report.unchecked).toEqual([]);
    const schema = drifted.report.findings.find((f) => f.kind === 'schema');
    expect(schema).toMatchObject({
      target: 'postgres',
      message: 'column users.nickname text exists in the database, but no migration creates it',
    });
    expect(schema!.hint).toMatch(/^if it was made by hand, write a migration that creates it/);
    // schema.prisma no longer matches the database either: the database changed since the last pull, which would add the column.
    const unpulled = drifted.report.findings.find((f) => f.kind === 'prisma-unpulled');
    expect(unpulled?.detail).toContain('\n+  nickname');
    expect(unpulled?.hint).toContain('schemasync sync');
    expect(drifted.report.findings.some((f) => f.kind === 'prisma-schema')).toBe(false);
    for (const finding of drifted.report.findings) expect(Object.keys(finding)).toEqual(expect.arrayContaining(['kind', 'key', 'message', 'hint']));

    await withClient(db.url, (client) => client.query('ALTER TABLE users DROP COLUMN nickname'));
    const clean = await verifyJson();
    expect(clean.code, clean.output).toBe(0);
    expect(clean.report).toEqual({ ok: true, findings: [], unchecked: [] });
  });

  it('reports a hand edit of schema.prisma with file, line and hint, and clears when it is undone', async () => {
    const schemaFile = project.path('prisma', 'schema.prisma');
    const original = readFileSync(schemaFile, 'utf8');
    const edited = original.replace(/^(model users \{\n[^\n]*\n)/m, '$1  nickname String?\n');
    expect(edited).not.toBe(original);
    writeFileSync(schemaFile, edited);
    try {
      const { code, report, output } = await verifyJson('--no-shadow');
      expect(code, output).toBe(1);
      const finding = report.findings.find((f) => f.kind === 'prisma-schema');
      const editedLine = edited.split('\n').indexOf('  nickname String?') + 1;
      expect(finding).toMatchObject({
        file: 'prisma/schema.prisma',
        line: editedLine,
      });
      expect(finding!.message).toContain(
        `prisma/schema.prisma differs from what \`prisma db pull\` gives for the database (first difference at line ${editedLine})`,
      );
      expect(finding!.hint).toContain('new migration');
      expect(finding!.detail).toContain('\n-  nickname String?');
      // The client was generated from the file before the edit.
      expect(report.findings.find((f) => f.kind === 'prisma-client')?.message).toContain('was generated from an older prisma/schema.prisma');
    } finally {
      writeFileSync(schemaFile, original);
    }
    const clean = await verify('--no-shadow');
    expect(clean.code, clean.output).toBe(0);
    expect(clean.stdout).toContain('✔ in sync');
  });

  it('reports a sqlc query reading a column a new migration drops, with query file and line', async () => {
    const migration = project.path('migrations', 'postgres', '20250401000000_drop_last_login.sql');
    writeFileSync(
      migration,
      '-- +goose Up\nALTER TABLE users DROP COLUMN last_login_at;\n\n-- +goose Down\nALTER TABLE users ADD COLUMN last_login_at timestamptz;\n',
    );
    try {
      const { code, report, output } = await verifyJson('--no-shadow');
      expect(code, output).toBe(1);
      const queryLine =
        readFileSync(project.path('queries', 'users.sql'), 'utf8')
          .split('\n')
          .findIndex((line) => line.includes('last_login_at')) + 1;
      const broken = report.findings.filter((f) => f.kind === 'sqlc-query');
      expect(broken.map((f) => `${f.file}:${f.line}`)).toContain(`queries/users.sql:${queryLine}`);
      expect(broken[0]!.message).toContain('column "last_login_at" does not exist');
      expect(broken[0]!.hint).toContain('migration');
      expect(report.findings.some((f) => f.kind === 'migration-pending')).toBe(true);
    } finally {
      rmSync(migration);
    }
    const clean = await verify('--no-shadow');
    expect(clean.code, clean.output).toBe(0);
  });

  it('exits 2 when the database cannot be reached, saying which check did not run', async () => {
    const result = await runSchemasync(['verify', '--json'], {
      cwd: project.root,
      env: {
        ...env(),
        DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/nowhere',
      },
    });
    expect(result.code, result.output).toBe(2);
    const report = JSON.parse(result.stdout) as VerifyJson;
    expect(report.ok).toBe(false);
    expect(report.unchecked.map((u) => u.check)).toContain('postgres');
    expect(result.output).not.toContain('secret');
  });
});
