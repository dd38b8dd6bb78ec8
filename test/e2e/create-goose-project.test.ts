import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { runSchemasync } from '../helpers/daemon.ts';

// Issue 18: `create` writes where goose writes. In a ClickHouse-only goose project the folder is
// GOOSE_MIGRATION_DIR, named for GOOSE_DRIVER=clickhouse; `create` used to look for
// migrations/postgres and fail, telling the user to set the variable that was set.
let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'schemasync-create-goose-'));
  await mkdir(join(root, 'db', 'migrations'), { recursive: true });
  await writeFile(
    join(root, 'db', 'migrations', '20250101000000_init.sql'),
    '-- +goose Up\nCREATE TABLE t (id UInt8) ENGINE = Memory;\n-- +goose Down\nDROP TABLE t;\n',
  );
  await writeFile(join(root, '.env'), 'GOOSE_DRIVER=clickhouse\nGOOSE_MIGRATION_DIR=db/migrations\n');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const env = { DATABASE_URL: '', CLICKHOUSE_URL: '', GOOSE_DRIVER: undefined, GOOSE_MIGRATION_DIR: undefined, GOOSE_DBSTRING: undefined };

it('schemasync create add_events writes into GOOSE_MIGRATION_DIR of a ClickHouse goose project', async () => {
  const created = await runSchemasync(['create', 'add_events'], { cwd: root, env });
  expect(created.code, created.output).toBe(0);
  expect(created.stdout).toMatch(/^Created new file: db\/migrations\/\d{14}_add_events\.sql\n$/);
  expect((await readdir(join(root, 'db', 'migrations'))).filter((name) => name.endsWith('_add_events.sql'))).toHaveLength(1);
  expect(await readdir(root)).not.toContain('migrations');
});

it('--target names the folder of another target; without its URL it still only writes a file', async () => {
  const created = await runSchemasync(['create', 'add_users', '--target', 'postgres', '--dir', 'pg'], { cwd: root, env });
  expect(created.code, created.output).toBe(0);
  expect(created.stdout).toMatch(/^Created new file: pg\/\d{14}_add_users\.sql\n$/);
});
