import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { silentLogger } from '../../daemon/log/types.ts';
import { migrateUp } from '../../daemon/engine/index.ts';
import { createPostgresTarget } from '../../daemon/targets/postgres/target.ts';
import { gooseCommand, type GooseAction } from '../helpers/goose.ts';
import { runTool } from '../../daemon/tools/run.ts';
import { runSchemasync } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { repoRoot } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { goose, gooseMissing } from '../helpers/tools.ts';

const exampleDir = path.join(repoRoot, 'migrations', 'postgres');

async function runGoose(dir: string, url: string, action: GooseAction) {
  return runTool(gooseCommand({ binary: goose!, dir, driver: 'postgres', dbString: url }, action), { cwd: repoRoot, timeoutMs: 30_000 });
}

/** goose status's lines "    <Applied At | Pending>  -- <file>" as {file: state}. */
function parseGooseStatus(stderr: string): Record<string, 'applied' | 'pending'> {
  const states: Record<string, 'applied' | 'pending'> = {};
  for (const match of stderr.matchAll(/^\S+ \S+\s{5}(.+?)\s+-- (\S+\.sql)$/gm)) {
    states[match[2]!] = match[1]!.trim() === 'Pending' ? 'pending' : 'applied';
  }
  return states;
}

async function schemasyncStatus(url: string): Promise<Record<string, string>> {
  const { code, stdout, output } = await runSchemasync(['status', '--json', '--target', 'postgres'], {
    cwd: repoRoot,
    env: { DATABASE_URL: url, CLICKHOUSE_URL: '' },
  });
  expect(code, output).toBe(0);
  const rows = JSON.parse(stdout) as Array<{ file: string; state: string; target: string }>;
  expect(rows.every((row) => row.target === 'postgres')).toBe(true);
  return Object.fromEntries(rows.map((row) => [row.file, row.state]));
}

describeWith('PostgreSQL and the goose CLI', postgresMissing() ?? gooseMissing, 'goose and schemasync take turns on the example project', () => {
  let files: string[];
  beforeAll(async () => {
    files = (await readdir(exampleDir)).filter((f) => f.endsWith('.sql')).sort();
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it('goose migrates part-way, schemasync finishes, and both report the same status', async () => {
    const db = await createTestDatabase();
    try {
      const secondVersion = Number(files[1]!.split('_')[0]);
      await runGoose(exampleDir, db.url, { command: 'up-to', version: secondVersion });
      const before = await schemasyncStatus(db.url);
      expect(Object.values(before).filter((s) => s === 'applied')).toHaveLength(2);

      const { code, output } = await runSchemasync(['up', '--target', 'postgres'], { cwd: repoRoot, env: { DATABASE_URL: db.url, CLICKHOUSE_URL: '' } });
      expect(code, output).toBe(0);

      const ours = await schemasyncStatus(db.url);
      const theirs = parseGooseStatus((await runGoose(exampleDir, db.url, { command: 'status' })).stderr);
      expect(Object.keys(theirs)).toEqual(files);
      expect(ours).toEqual(theirs);
      expect(Object.values(ours).every((s) => s === 'applied')).toBe(true);
    } finally {
      await db.drop();
    }
  });

  it('schemasync migrates part-way, goose finishes and rolls back, and both agree at every turn', async () => {
    const db = await createTestDatabase();
    try {
      const thirdVersion = Number(files[2]!.split('_')[0]);
      expect((await runSchemasync(['up', '--to', String(thirdVersion)], { cwd: repoRoot, env: { DATABASE_URL: db.url, CLICKHOUSE_URL: '' } })).code).toBe(0);
      expect(parseGooseStatus((await runGoose(exampleDir, db.url, { command: 'status' })).stderr)).toEqual(await schemasyncStatus(db.url));

      await runGoose(exampleDir, db.url, { command: 'up' });
      await runGoose(exampleDir, db.url, { command: 'down' });
      const theirs = parseGooseStatus((await runGoose(exampleDir, db.url, { command: 'status' })).stderr);
      expect(theirs[files.at(-1)!]).toBe('pending');
      expect(await schemasyncStatus(db.url)).toEqual(theirs);

      // goose's `version` and ours follow the same rule (the most recently applied migration).
      const { stdout } = await runSchemasync(['version', '--target', 'postgres'], { cwd: repoRoot, env: { DATABASE_URL: db.url, CLICKHOUSE_URL: '' } });
      const gooseVersion = /version (\d+)/.exec((await runGoose(exampleDir, db.url, { command: 'version' })).stderr)?.[1];
      expect(stdout.trim()).toBe(`postgres: version ${gooseVersion}`);
    } finally {
      await db.drop();
    }
  });
});

interface Vector {
  name: string;
  input: string;
  env: Record<string, string>;
  up: { statements?: string[]; error?: string };
}

// Every vector goose's own parser accepts is applied twice, once by goose and once by
// schemasync, each on a fresh database: both must succeed or fail alike and leave the same schema.
describeWith('PostgreSQL and the goose CLI', postgresMissing() ?? gooseMissing, 'parser vectors applied by goose and by schemasync', () => {
  let vectors: Vector[];
  let workdir: string;
  beforeAll(async () => {
    const file = JSON.parse(await readFile(path.join(repoRoot, 'test/fixtures/parse/goose-parser-vectors.json'), 'utf8')) as { vectors: Vector[] };
    // Vectors that need environment variables are left out: goose reads them from its own environment.
    vectors = file.vectors.filter((v) => v.up.statements && Object.keys(v.env).length === 0);
    workdir = await mkdtemp(path.join(tmpdir(), 'schemasync-vectors-'));
  });
  afterAll(() => rm(workdir, { recursive: true, force: true }));

  it('gives the same outcome and the same catalog for every valid vector', { timeout: 240_000 }, async () => {
    expect(vectors.length).toBeGreaterThanOrEqual(15);
    const outcomes: Array<{ vector: string; goose: boolean; ours: boolean; sameCatalog: boolean }> = [];
    for (const vector of vectors) {
      const dir = path.join(workdir, vector.name.replace(/\.sql$/, ''));
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
      await writeFile(path.join(dir, '00001_vector.sql'), vector.input);
      const [viaGoose, viaUs] = [await createTestDatabase(), await createTestDatabase()];
      const target = createPostgresTarget(viaUs.url, { logger: silentLogger });
      const reference = createPostgresTarget(viaGoose.url, { logger: silentLogger });
      try {
        const gooseOk = await runGoose(dir, viaGoose.url, { command: 'up' }).then(
          () => true,
          () => false,
        );
        const result = await migrateUp({ target, dir, projectRoot: workdir, env: {}, logger: silentLogger, allowMissing: false, lockTimeoutMs: 10_000 });
        const sameCatalog = JSON.stringify(await target.introspect()) === JSON.stringify(await reference.introspect());
        outcomes.push({ vector: vector.name, goose: gooseOk, ours: !result.error, sameCatalog });
      } finally {
        await Promise.all([target.close(), reference.close()]);
        await Promise.all([viaGoose.drop(), viaUs.drop()]);
      }
    }
    expect(outcomes.filter((o) => o.goose !== o.ours || !o.sameCatalog)).toEqual([]);
    // The comparison means something only if both kinds of outcome occur.
    expect(outcomes.some((o) => o.goose) && outcomes.some((o) => !o.goose)).toBe(true);
  });
});
