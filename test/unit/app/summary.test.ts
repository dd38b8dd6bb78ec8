import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { formatSummary, startupSummary } from '../../../daemon/app/summary.ts';
import { loadConfig } from '../../../daemon/config/load.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'schemasync-summary-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

it('the start-up block: each target and tool on or off, where it came from, and how to turn on what is off', () => {
  const loaded = loadConfig({
    cwd: root,
    env: { GOOSE_DRIVER: 'postgres', GOOSE_DBSTRING: 'host=db user=app password=hunter2 dbname=app' },
    flags: {},
  });
  const rows = startupSummary({ loaded, urls: {}, tools: { missing: [] }, sqlcVersion: undefined, health: undefined });
  const text = formatSummary('schemasync', rows);
  expect(text).toMatch(/postgres +on {3}postgres:\/\/app:\*\*\*@db\/app \(GOOSE_DBSTRING\) · migrations\/postgres does not exist yet, watching for it/);
  expect(text).not.toContain('hunter2');
  expect(text).toMatch(/clickhouse +off {2}CLICKHOUSE_URL is not set; set it/);
  expect(text).toMatch(/clickhouse-types {2}off {2}follows ClickHouse, which is off/);
  expect(text).toMatch(/prisma +off {2}no Prisma schema at prisma\/schema.prisma/);
  expect(text).toMatch(/sqlc +off {2}no sqlc.yaml, sqlc.yml or sqlc.json/);
  expect(text).toMatch(/health +off {2}no port \(--port or SCHEMASYNC_PORT/);

  const missing = startupSummary({
    loaded: loadConfig({ cwd: root, env: {}, flags: {} }),
    urls: { postgres: 'postgres://postgres:pw@127.0.0.1:5555/postgres' },
    tools: { missing: [{ tool: 'prisma', reason: 'prisma is not installed in this project; add it' }] },
    sqlcVersion: undefined,
    health: 'http://127.0.0.1:4000/healthz',
  });
  expect(formatSummary('x', missing)).toMatch(/postgres +on +embedded PostgreSQL in .schemasync\/postgres \(set DATABASE_URL or GOOSE_DBSTRING/);
  expect(formatSummary('x', missing)).toMatch(/prisma +off +prisma is not installed in this project; add it/);
  expect(formatSummary('x', missing)).toMatch(/health +on +http:\/\/127.0.0.1:4000\/healthz/);
});

it('a sqlc config below the root is named, with how to point schemasync at it', async () => {
  const project = await mkdtemp(path.join(root, 'nested-'));
  await mkdir(path.join(project, 'server'));
  await writeFile(path.join(project, 'server', 'sqlc.yaml'), "version: '2'\n");
  const loaded = loadConfig({ cwd: project, env: {}, flags: {} });
  const rows = startupSummary({ loaded, urls: {}, tools: { missing: [] }, sqlcVersion: undefined, health: undefined });
  expect(rows.find((row) => row.name === 'sqlc')).toMatchObject({
    on: false,
    detail: expect.stringMatching(/^server\/sqlc.yaml is not in the project root.*sqlcConfig/) as unknown,
  });
});

it('the prisma row says which path runs (the warm worker, or the CLI with why and the command), then the Next.js app and git rows', () => {
  const loaded = loadConfig({ cwd: root, env: {}, flags: {} });
  const base = {
    loaded,
    urls: {},
    tools: { missing: [], prismaCli: path.join(root, 'node_modules/prisma/build/index.js') },
    sqlcVersion: undefined,
    health: undefined,
  };
  const warm = formatSummary('x', startupSummary({ ...base, prismaPath: { ok: true, version: '6.19.3' }, gitHead: 'main' }));
  expect(warm).toMatch(/prisma +on +prisma\/schema.prisma · warm worker, starting \(db pull \+ generate in-process\)/);
  expect(warm).toMatch(/git +on +on main/);
  const cli = startupSummary({
    ...base,
    prismaPath: {
      ok: false,
      reason: '@prisma/migrate is not installed (prisma is 6.19.3)',
      command: 'npm install --save-dev --save-exact @prisma/migrate@6.19.3',
    },
    nextApp: { name: 'next', on: false, detail: 'lib/prisma.ts: …' },
  });
  expect(formatSummary('x', cli)).toMatch(
    /prisma +on +prisma\/schema.prisma · through the prisma CLI \(2–4 s a run\): @prisma\/migrate is not installed \(prisma is 6.19.3\); for the warm worker \(~0.2 s\): npm install --save-dev --save-exact @prisma\/migrate@6.19.3, or `npx schemasync init`\n +next +off +lib\/prisma.ts: …/,
  );
});
