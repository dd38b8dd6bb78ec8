import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';

import { afterEach, expect, it } from 'vitest';

import { main } from '../../../daemon/cli/main.ts';

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function init(cwd: string): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await main(['init'], { cwd, env: { PATH: process.env.PATH }, stdout, stderr: stdout });
  return { code, out };
}

it('init writes a config file only for what is not found by convention, adds the scripts and .gitignore, and is idempotent', async () => {
  root = await mkdtemp(path.join(tmpdir(), 'schemasync-init-'));
  await mkdir(path.join(root, 'db', 'migrations'), { recursive: true });
  await writeFile(path.join(root, 'db', 'migrations', '00001_a.sql'), '-- +goose Up\nSELECT 1;\n');
  await mkdir(path.join(root, 'server'));
  await writeFile(path.join(root, 'server', 'sqlc.yaml'), "version: '2'\nsql: []\n");
  await mkdir(path.join(root, 'prisma'));
  await writeFile(path.join(root, 'prisma', 'schema.prisma'), '');
  await writeFile(path.join(root, 'package.json'), JSON.stringify({ name: 'app', dependencies: { next: '15.0.0' } }, null, 2));
  await writeFile(path.join(root, '.gitignore'), 'node_modules');

  const first = await init(root);
  expect(first.code, first.out).toBe(0);
  // The Prisma schema is where Prisma looks: not written.
  expect(JSON.parse(await readFile(path.join(root, 'schemasync.config.json'), 'utf8'))).toEqual({
    postgresDir: 'db/migrations',
    sqlcConfig: 'server/sqlc.yaml',
  });
  const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(manifest.scripts['db:watch']).toBe('schemasync watch');
  expect(manifest.scripts['dev:all']).toMatch(/concurrently .*"exec next dev" "exec schemasync watch"/);
  expect(await readFile(path.join(root, '.gitignore'), 'utf8')).toBe('node_modules\n.schemasync/\n');
  expect(first.out).toMatch(/wrote schemasync.config.json/);
  expect(first.out).toMatch(/npm install --save-dev concurrently/);
  expect(first.out).toMatch(/^next: npm run dev:all/m);

  const files = async () => Promise.all(['schemasync.config.json', 'package.json', '.gitignore'].map((f) => readFile(path.join(root!, f), 'utf8')));
  const before = await files();
  const second = await init(root);
  expect(second.code, second.out).toBe(0);
  expect(await files()).toEqual(before);
  expect(second.out).toMatch(/no config file needed/);
  expect(second.out).toMatch(/npm scripts already there/);
  expect(second.out).toMatch(/already ignores .schemasync/);
});

it('a fresh project needs no config file', async () => {
  root = await mkdtemp(path.join(tmpdir(), 'schemasync-init-'));
  const { code, out } = await init(root);
  expect(code, out).toBe(0);
  expect(out).toMatch(/no config file needed/);
  expect(out).toMatch(/no package.json/);
});

it('a Prisma schema folder: found where Prisma finds it, written only when it is elsewhere', async () => {
  root = await mkdtemp(path.join(tmpdir(), 'schemasync-init-'));
  await mkdir(path.join(root, 'prisma', 'schema'), { recursive: true });
  await writeFile(path.join(root, 'prisma', 'schema', 'schema.prisma'), '');
  await writeFile(path.join(root, 'prisma', 'schema', 'users.prisma'), '');
  await writeFile(path.join(root, 'prisma.config.ts'), "export default defineConfig({ schema: 'prisma/schema' });\n");
  const named = await init(root);
  expect(named.code, named.out).toBe(0);
  expect(named.out).toMatch(/no config file needed/);
  await rm(path.join(root, 'prisma.config.ts'));
  await rm(path.join(root, 'prisma'), { recursive: true });
  await mkdir(path.join(root, 'db', 'schema'), { recursive: true });
  await writeFile(path.join(root, 'db', 'schema', 'schema.prisma'), '');
  await writeFile(path.join(root, 'db', 'schema', 'users.prisma'), '');
  const elsewhere = await init(root);
  expect(elsewhere.code, elsewhere.out).toBe(0);
  expect(JSON.parse(await readFile(path.join(root, 'schemasync.config.json'), 'utf8'))).toEqual({ prismaSchema: 'db/schema' });
});
