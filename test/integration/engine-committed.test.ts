import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, expect, it } from 'vitest';

import { migrateUp } from '../../daemon/engine/index.ts';
import { silentLogger } from '../../daemon/log/types.ts';
import { createPostgresTarget } from '../../daemon/targets/postgres/target.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';

/**
 * EngineContext.committed (the daemon's Prisma worker starts its introspection then): called once
 * per run, when the last migration is in the database, and before the schema log reads the
 * catalog after it.
 */
describeWith('PostgreSQL', postgresMissing(), 'the engine says when the last migration is committed', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('once, after the last of three, before the schema log reads the catalog; not at all when nothing applies', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'schemasync-committed-'));
    dirs.push(dir);
    for (const n of [1, 2, 3])
      await writeFile(path.join(dir, `0000${n}_t${n}.sql`), `-- +goose Up\nCREATE TABLE t${n} (id int);\n\n-- +goose Down\nDROP TABLE t${n};\n`);
    const db = await createTestDatabase();
    const target = createPostgresTarget(db.url, { logger: silentLogger });
    const said: string[] = [];
    const seen: Array<Promise<boolean>> = [];
    const schemaLog = {
      begin: () => Promise.resolve(void said.push('begin')),
      after: (file: { name: string }) => Promise.resolve(void said.push(`after ${file.name}`)),
      forget: () => void said.push('forget'),
    };
    const committed = () => {
      said.push('committed');
      seen.push(withClient(db.url, async (c) => (await c.query<{ ok: boolean }>("SELECT to_regclass('t3') IS NOT NULL AS ok")).rows[0]!.ok));
    };
    const ctx = { target, dir, projectRoot: dir, env: {}, logger: silentLogger, allowMissing: false, lockTimeoutMs: 10_000, schemaLog, committed };
    try {
      expect((await migrateUp(ctx)).error).toBeUndefined();
      expect(said).toEqual(['begin', 'after 00001_t1.sql', 'after 00002_t2.sql', 'committed', 'after 00003_t3.sql']);
      expect(await Promise.all(seen)).toEqual([true]);
      said.length = 0;
      await migrateUp(ctx);
      expect(said).not.toContain('committed');
    } finally {
      await target.close();
      await db.drop();
    }
  });
});
