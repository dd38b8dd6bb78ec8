import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { findPrismaSchema, findSqlcConfig, postgresDsnToUrl } from '../../../daemon/config/discover.ts';
import { checkMigrationFolders } from '../../../daemon/config/folders.ts';
import { readConfigFile } from '../../../daemon/config/file.ts';
import { type ConfigFlags, type Env, loadConfig } from '../../../daemon/config/load.ts';
import { isSchemasyncError } from '../../../daemon/errors.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'schemasync-config-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (isSchemasyncError(error) && error.code === 'CONFIG') return error.message.split('\n');
    throw error;
  }
  return [];
}

describe('loadConfig: precedence flags > environment > config file > discovered > defaults', () => {
  const file = { file: '/p/schemasync.config.json', values: { postgresDir: 'from-file', debounceMs: 300, table: 'file_table' } };
  it.each<[string, ConfigFlags, Env, typeof file | undefined, { dir: string; debounce: number; table: string }]>([
    ['defaults', {}, {}, undefined, { dir: 'migrations/postgres', debounce: 150, table: 'goose_db_version' }],
    ['config file', {}, {}, file, { dir: 'from-file', debounce: 300, table: 'file_table' }],
    [
      'environment over file',
      {},
      { GOOSE_MIGRATION_DIR: 'db/migrations', SCHEMASYNC_DEBOUNCE_MS: '50', GOOSE_TABLE: 'env_table' },
      file,
      { dir: 'db/migrations', debounce: 50, table: 'env_table' },
    ],
    [
      'flags over environment',
      { postgresDir: 'flag-dir', debounce: '10', table: 'flag_table' },
      { GOOSE_MIGRATION_DIR: 'db/migrations', SCHEMASYNC_DEBOUNCE_MS: '50', GOOSE_TABLE: 'env_table' },
      file,
      { dir: 'flag-dir', debounce: 10, table: 'flag_table' },
    ],
    [
      '--dir over GOOSE_MIGRATION_DIR',
      { dir: 'x' },
      { GOOSE_MIGRATION_DIR: 'db/migrations' },
      undefined,
      { dir: 'x', debounce: 150, table: 'goose_db_version' },
    ],
  ])('%s', (_name, flags, env, configFile, expected) => {
    const { config } = loadConfig({ cwd: root, env, flags, file: configFile });
    expect(path.relative(root, config.postgres.dir)).toBe(expected.dir);
    expect(config.watch.debounceMs).toBe(expected.debounce);
    expect(config.postgres.table).toBe(expected.table);
  });

  it.each<[string, Env, ConfigFlags, string | undefined, string]>([
    ['DATABASE_URL', { DATABASE_URL: 'postgres://a@h/db' }, {}, 'postgres://a@h/db', 'DATABASE_URL'],
    ['GOOSE_DBSTRING with GOOSE_DRIVER=postgres', { GOOSE_DRIVER: 'postgres', GOOSE_DBSTRING: 'postgres://g@h/db' }, {}, 'postgres://g@h/db', 'GOOSE_DBSTRING'],
    [
      'DATABASE_URL over GOOSE_DBSTRING',
      { DATABASE_URL: 'postgres://a@h/db', GOOSE_DRIVER: 'pgx', GOOSE_DBSTRING: 'postgres://g@h/db' },
      {},
      'postgres://a@h/db',
      'DATABASE_URL',
    ],
    ['--database-url over all', { DATABASE_URL: 'postgres://a@h/db' }, { databaseUrl: 'postgres://f@h/db' }, 'postgres://f@h/db', '--database-url'],
    ['nothing: embedded', {}, {}, undefined, 'embedded'],
    ['GOOSE_DBSTRING without GOOSE_DRIVER is ignored', { GOOSE_DBSTRING: 'postgres://g@h/db' }, {}, undefined, 'embedded'],
  ])('PostgreSQL URL: %s', (_name, env, flags, url, origin) => {
    const loaded = loadConfig({ cwd: root, env, flags });
    expect(loaded.config.postgres.url).toBe(url);
    expect(loaded.origins?.postgresUrl).toBe(origin);
  });

  it('GOOSE_DRIVER=clickhouse sends GOOSE_DBSTRING and GOOSE_MIGRATION_DIR to ClickHouse', () => {
    const { config } = loadConfig({
      cwd: root,
      env: { GOOSE_DRIVER: 'clickhouse', GOOSE_DBSTRING: 'http://default@localhost:8123/default', GOOSE_MIGRATION_DIR: 'ch' },
      flags: {},
    });
    expect(config.clickhouse.url).toBe('http://default@localhost:8123/default');
    expect(path.relative(root, config.clickhouse.dir)).toBe('ch');
    expect(path.relative(root, config.postgres.dir)).toBe('migrations/postgres');
    expect(config.targets).toEqual(['postgres', 'clickhouse']);
  });

  it('the ClickHouse-off notice only when every target was asked for', () => {
    expect(loadConfig({ cwd: root, env: {}, flags: {} }).notices).toEqual(['ClickHouse target is off: CLICKHOUSE_URL is not set']);
    expect(loadConfig({ cwd: root, env: {}, flags: { target: 'postgres' } }).notices).toEqual([]);
  });
});

describe('loadConfig: every problem in one error', () => {
  it('lists each bad value, including the ones checked last before (debounce, lock timeout)', () => {
    const problems = problemsOf(() =>
      loadConfig({
        cwd: root,
        env: { SCHEMASYNC_DEBOUNCE_MS: 'soon', SCHEMASYNC_LOCK_TIMEOUT_MS: '-1', LOG_LEVEL: 'loud', DATABASE_URL: 'not a url', GOOSE_DRIVER: 'mysql' },
        flags: { port: '70000', toolTimeout: '0' },
      }),
    );
    expect(problems.join('\n')).toMatch(/debounce .* "soon"/);
    expect(problems.join('\n')).toMatch(/lock timeout .* "-1"/);
    expect(problems.join('\n')).toMatch(/log level .* "loud"/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL is not a URL/);
    expect(problems.join('\n')).toMatch(/GOOSE_DRIVER=mysql/);
    expect(problems.join('\n')).toMatch(/port .* 70000/);
    expect(problems.join('\n')).toMatch(/tool timeout .* "0"/);
    // No flag that does not exist is named.
    expect(problems.join('\n')).not.toContain('--lock-timeout');
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['unknown key', { postgresDri: 'x' }, /unknown key "postgresDri"/],
    ['wrong type', { debounceMs: '300' }, /"debounceMs" must be a number/],
    ['bad value', { logFormat: 'xml' }, /log format .* "xml"/],
  ])('config file: %s', (_name, values, expected) => {
    expect(
      problemsOf(() => loadConfig({ cwd: root, env: {}, flags: {}, file: { file: path.join(root, 'schemasync.config.json'), values } })).join('\n'),
    ).toMatch(expected);
  });

  it.each([
    ['--target clickhouse without CLICKHOUSE_URL', { target: 'clickhouse' }, {}, /needs CLICKHOUSE_URL/],
    ['GOOSE_DBSTRING for clickhouse over tcp', {}, { GOOSE_DRIVER: 'clickhouse', GOOSE_DBSTRING: 'tcp://localhost:9000' }, /HTTP interface/],
    [
      'a configured sqlc config that is not there',
      { sqlcConfig: 'server/sqlc.yaml' },
      {},
      /sqlc config server\/sqlc.yaml \(from --sqlc-config\) does not exist/,
    ],
  ] as Array<[string, ConfigFlags, Env, RegExp]>)('%s', (_name, flags, env, expected) => {
    expect(problemsOf(() => loadConfig({ cwd: root, env, flags })).join('\n')).toMatch(expected);
  });

  it('log format is pretty unless JSON is asked for, piped or not', () => {
    expect(loadConfig({ cwd: root, env: {}, flags: {} }).config.log.format).toBe('pretty');
    expect(loadConfig({ cwd: root, env: { LOG_FORMAT: 'json' }, flags: {} }).config.log.format).toBe('json');
    expect(loadConfig({ cwd: root, env: { LOG_FORMAT: 'json' }, flags: { logFormat: 'pretty' } }).config.log.format).toBe('pretty');
  });
});

describe('discovery by each tool’s own rules', () => {
  it.each([
    ['postgres://u:p@h:5432/db?sslmode=disable', 'postgres://u:p@h:5432/db?sslmode=disable'],
    ['host=localhost port=5433 user=app password=secret dbname=appdb sslmode=disable', 'postgres://app:secret@localhost:5433/appdb?sslmode=disable'],
    ["user=app password='a b' dbname=x", 'postgres://app:a%20b@localhost/x'],
    ['host=/var/run/postgresql dbname=x', 'postgres://localhost/x?host=%2Fvar%2Frun%2Fpostgresql'],
    ['not a dsn', undefined],
  ])('GOOSE_DBSTRING %s', (dsn, url) => {
    expect(postgresDsnToUrl(dsn)).toBe(url);
  });

  it('sqlc config: sqlc.yaml, then sqlc.yml, then sqlc.json', () => {
    const present = (names: string[]) => (file: string) => names.includes(path.basename(file));
    expect(findSqlcConfig('/p', present(['sqlc.json']))).toBe('/p/sqlc.json');
    expect(findSqlcConfig('/p', present(['sqlc.json', 'sqlc.yml']))).toBe('/p/sqlc.yml');
    expect(findSqlcConfig('/p', present(['sqlc.json', 'sqlc.yaml']))).toBe('/p/sqlc.yaml');
    expect(findSqlcConfig('/p', present([]))).toBeUndefined();
  });

  it('Prisma schema: prisma.config.ts schema, package.json prisma.schema, defaults, folder', async () => {
    const project = await mkdtemp(path.join(root, 'prisma-'));
    expect(findPrismaSchema(project)).toMatchObject({ schema: path.join(project, 'prisma/schema.prisma'), from: 'default' });
    await writeFile(path.join(project, 'schema.prisma'), '');
    expect(findPrismaSchema(project)).toMatchObject({ schema: path.join(project, 'schema.prisma'), from: 'default' });
    await mkdir(path.join(project, 'prisma', 'schema'), { recursive: true });
    await rm(path.join(project, 'schema.prisma'));
    expect(findPrismaSchema(project)).toMatchObject({ schema: path.join(project, 'prisma/schema'), from: 'default' });
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ prisma: { schema: 'db/app.prisma' } }));
    expect(findPrismaSchema(project)).toMatchObject({ schema: path.join(project, 'db/app.prisma'), from: 'package.json' });
    await writeFile(path.join(project, 'prisma.config.ts'), "export default defineConfig({ engine: 'js' });\n");
    expect(findPrismaSchema(project)).toMatchObject({ schema: path.join(project, 'db/app.prisma'), from: 'package.json' });
    await writeFile(path.join(project, 'prisma.config.ts'), "export default defineConfig({ schema: 'src/schema.prisma' });\n");
    expect(findPrismaSchema(project)).toMatchObject({ schema: path.join(project, 'src/schema.prisma'), from: 'prisma.config.ts' });
  });

  it('Prisma schema folder: named by prisma.config.ts or package.json, or the conventional prisma/schema; files first as Prisma 6.19 looks', async () => {
    const project = await mkdtemp(path.join(root, 'prisma-folder-'));
    await mkdir(path.join(project, 'prisma', 'schema'), { recursive: true });
    await writeFile(path.join(project, 'prisma', 'schema.prisma'), '');
    await writeFile(path.join(project, 'schema.prisma'), '');
    // Prisma's own order: ./schema.prisma, then ./prisma/schema.prisma; the folder only when named.
    expect(findPrismaSchema(project)).toMatchObject({ schema: path.join(project, 'schema.prisma'), from: 'default' });
    await rm(path.join(project, 'schema.prisma'));
    expect(findPrismaSchema(project)).toMatchObject({ schema: path.join(project, 'prisma/schema.prisma'), from: 'default' });
    await rm(path.join(project, 'prisma', 'schema.prisma'));
    expect(findPrismaSchema(project)).toMatchObject({ schema: path.join(project, 'prisma/schema'), from: 'default' });
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ prisma: { schema: './db/schema/' } }));
    expect(findPrismaSchema(project)).toMatchObject({ schema: path.join(project, 'db/schema'), from: 'package.json' });
    await writeFile(path.join(project, 'prisma.config.ts'), "export default defineConfig({\n  schema: 'prisma/schema',\n  engine: 'js',\n});\n");
    expect(findPrismaSchema(project)).toMatchObject({
      schema: path.join(project, 'prisma/schema'),
      from: 'prisma.config.ts',
      configFile: path.join(project, 'prisma.config.ts'),
    });
  });

  it('config file: schemasync.config.json or the package.json key, in the project root only', async () => {
    const project = await mkdtemp(path.join(root, 'file-'));
    expect(await readConfigFile(project)).toBeUndefined();
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'x', schemasync: { postgresDir: 'db' } }));
    expect(await readConfigFile(project)).toMatchObject({ values: { postgresDir: 'db' } });
    await writeFile(path.join(project, 'schemasync.config.mjs'), "export default { postgresDir: 'sql' };\n");
    // package.json is looked at first, as cosmiconfig-style loaders do; a key there wins.
    expect(await readConfigFile(project)).toMatchObject({ values: { postgresDir: 'db' } });
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'x' }));
    expect(await readConfigFile(project)).toMatchObject({ values: { postgresDir: 'sql' } });
  });

  it('config file: schemasync.config.ts, with TypeScript syntax and its own imports, as Vite or Prisma take theirs', async () => {
    const project = await mkdtemp(path.join(root, 'ts-'));
    await writeFile(path.join(project, 'folders.ts'), "export const postgresDir: string = 'db/pg';\n");
    await writeFile(
      path.join(project, 'schemasync.config.ts'),
      "import { postgresDir } from './folders.ts';\n\ninterface Options { postgresDir: string; debounceMs: number }\nconst options: Options = { postgresDir, debounceMs: 90 };\nexport default options;\n",
    );
    expect(await readConfigFile(project)).toEqual({ file: path.join(project, 'schemasync.config.ts'), values: { postgresDir: 'db/pg', debounceMs: 90 } });
    // An error in it names the file.
    await writeFile(path.join(project, 'schemasync.config.ts'), 'export default {;\n');
    await expect(readConfigFile(project)).rejects.toThrow(
      `${path.join(project, 'schemasync.config.ts')}:1:16: cannot load the schemasync config file: ParseError: Unexpected token`,
    );
  });
});

describe('checkMigrationFolders', () => {
  it('a missing folder is a configuration problem that names where goose migrations are; create never invents one; watch waits', async () => {
    const project = await mkdtemp(path.join(root, 'folders-'));
    await mkdir(path.join(project, 'db', 'migrations'), { recursive: true });
    await writeFile(path.join(project, 'db', 'migrations', '00001_a.sql'), '-- +goose Up\nSELECT 1;\n');
    const loaded = loadConfig({ cwd: project, env: {}, flags: {} });
    for (const command of ['status', 'up', 'create']) {
      expect(problemsOf(() => checkMigrationFolders(loaded, command)).join('\n')).toMatch(
        /postgres migrations folder migrations\/postgres \(the default\) does not exist; goose migrations are in db\/migrations: name the folder with GOOSE_MIGRATION_DIR/,
      );
    }
    expect(() => checkMigrationFolders(loaded, 'watch')).not.toThrow();
    // Configured: create makes it; status says where the name came from.
    const configured = loadConfig({ cwd: project, env: { GOOSE_MIGRATION_DIR: 'sql/new' }, flags: {} });
    expect(() => checkMigrationFolders(configured, 'create')).not.toThrow();
    expect(problemsOf(() => checkMigrationFolders(configured, 'status')).join('\n')).toMatch(/sql\/new \(from GOOSE_MIGRATION_DIR\) does not exist/);
    expect(() => checkMigrationFolders(loadConfig({ cwd: project, env: { GOOSE_MIGRATION_DIR: 'db/migrations' }, flags: {} }), 'status')).not.toThrow();
  });
});

describe('loadConfig: the ClickHouse types step', () => {
  const load = (values: Record<string, unknown>) => loadConfig({ cwd: '/p', env: {}, flags: {}, file: { file: '/p/schemasync.config.json', values } });

  it('writes TypeScript to generated/clickhouse by default, and Go only when a folder is named (package: its name)', () => {
    expect(load({}).config.clickhouseTypes).toEqual({ dir: '/p/generated/clickhouse', go: undefined });
    expect(load({ clickhouseGoDir: 'server/internal/database/clickhouse' }).config.clickhouseTypes.go).toEqual({
      dir: '/p/server/internal/database/clickhouse',
      packageName: 'clickhouse',
    });
    expect(load({ clickhouseTypesDir: 'src/ch', clickhouseGoDir: 'go/ch', clickhouseGoPackage: 'chrows' }).config.clickhouseTypes).toEqual({
      dir: '/p/src/ch',
      go: { dir: '/p/go/ch', packageName: 'chrows' },
    });
  });

  it('says when the Go package cannot be one, or has no folder', () => {
    expect(problemsOf(() => load({ clickhouseGoDir: 'server/click-house' }))).toEqual([
      expect.stringContaining('clickhouseGoPackage must be a Go package name (lower-case letters, digits, _), got "click-house" (from the folder name)'),
    ]);
    expect(problemsOf(() => load({ clickhouseGoPackage: 'ch' }))).toEqual([expect.stringContaining('clickhouseGoPackage is set but clickhouseGoDir is not')]);
  });
});
