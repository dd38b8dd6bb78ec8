import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import type { Orphan } from '../../daemon/drift/orphans.ts';
import type { Logger } from '../../daemon/log/types.ts';
import { silentLogger } from '../../daemon/log/types.ts';
import { migrateUp, type EngineContext } from '../../daemon/engine/index.ts';
import { rollbackOrphans } from '../../daemon/engine/index.ts';
import { createClickHouseTarget } from '../../daemon/targets/clickhouse/target.ts';
import { createPostgresTarget } from '../../daemon/targets/postgres/target.ts';
import type { Target } from '../../daemon/targets/target.ts';
import { clickhouseMissing, clickhouseQuery, clickhouseServerUrl, createTestClickHouseDatabase } from '../helpers/clickhouse.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';

/**
 * engine/orphans.ts against real servers: the recorded Down (not a file: the file is on another
 * branch) undoes each orphan newest first, the version rows and ledger entries go with it, and
 * the first one that cannot be undone stops the rollback with the rest left as it was.
 */

/** A logger that keeps its messages (level, message). */
function recordingLogger(): Logger & { lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  const at =
    (level: string) =>
    (_fields: unknown, message?: string): void =>
      void lines.push([level, message ?? '']);
  const logger = { ...silentLogger, info: at('info'), warn: at('warn'), error: at('error'), child: () => logger, lines };
  return logger;
}

function project(files: Record<string, string>) {
  const root = mkdtempSync(path.join(tmpdir(), 'schemasync-orphans-'));
  const dir = path.join(root, 'migrations');
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return { root, dir, remove: () => rmSync(root, { recursive: true, force: true }), unlink: (name: string) => rmSync(path.join(dir, name)) };
}

const context = (target: Target, p: { root: string; dir: string }, logger: Logger): EngineContext => ({
  target,
  dir: p.dir,
  projectRoot: p.root,
  env: {},
  logger,
  allowMissing: false,
  lockTimeoutMs: 10_000,
});
const orphan = (version: number, file: string): Orphan => ({ version, file, source: 'branch feature', checkout: 'feature' });

describeWith('PostgreSQL', postgresMissing(), 'rolling back orphans on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let target: Target;
  beforeAll(async () => {
    db = await createTestDatabase();
    target = createPostgresTarget(db.url, { logger: silentLogger });
  });
  afterAll(async () => {
    await target?.close();
    await db?.drop();
  });

  it('stops at a migration with no recorded text, saying which and why, and leaves it and the older ones applied', async () => {
    const p = project({
      '1_a.sql': '-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n',
      '2_b.sql': '-- +goose Up\nCREATE TABLE b (id int);\n-- +goose Down\nDROP TABLE b;\n',
      '3_c.sql': '-- +goose Up\nCREATE TABLE c (id int);\nINSERT INTO c VALUES (1), (2), (3);\n-- +goose Down\nDROP TABLE c;\n',
    });
    try {
      expect((await migrateUp(context(target, p, silentLogger))).error).toBeUndefined();
      // Version 2 as if goose had applied it: no ledger entry.
      await withClient(db.url, (client) => client.query('DELETE FROM schemasync.migrations WHERE version = 2'));
      for (const name of ['1_a.sql', '2_b.sql', '3_c.sql']) p.unlink(name);

      const logger = recordingLogger();
      const result = await rollbackOrphans(context(target, p, logger), [orphan(1, '1_a.sql'), orphan(2, '2_b.sql'), orphan(3, '3_c.sql')]);
      expect(result.applied.map((a) => a.version)).toEqual([3]);
      expect(logger.lines).toContainEqual(['warn', 'rolling back 3_c.sql (from branch feature): drops table c (3 rows)']);
      expect(result.error?.message).toContain('2_b.sql (from branch feature) cannot be rolled back: schemasync has no recorded text of it');
      expect(result.left.map((o) => o.version)).toEqual([1, 2]);
      expect(logger.lines.at(-1)).toEqual([
        'warn',
        "rollback of other branches' migrations on postgres stopped at 2_b.sql; left applied as they were: 1_a.sql, 2_b.sql from branch feature",
      ]);
      const state = await withClient(db.url, async (client) => ({
        versions: (await client.query<{ v: string }>('SELECT version_id::text AS v FROM goose_db_version WHERE version_id > 0 ORDER BY 1')).rows.map(
          (r) => r.v,
        ),
        tables: (
          await client.query<{ t: string }>(
            `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('a','b','c') ORDER BY 1`,
          )
        ).rows.map((r) => r.t),
        ledger: (await client.query<{ v: string }>('SELECT version::text AS v FROM schemasync.migrations ORDER BY 1')).rows.map((r) => r.v),
      }));
      expect(state).toEqual({ versions: ['1', '2'], tables: ['a', 'b'], ledger: ['1'] });
    } finally {
      p.remove();
    }
  });
});

describeWith('a ClickHouse server', clickhouseMissing(), 'rolling back orphans on ClickHouse', () => {
  let database: Awaited<ReturnType<typeof createTestClickHouseDatabase>>;
  let target: Target;
  beforeAll(async () => {
    database = await createTestClickHouseDatabase();
    target = createClickHouseTarget(database.url, { logger: silentLogger });
  });
  afterAll(async () => {
    await target?.close();
    await database?.drop();
  });

  it('undoes each orphan statement by statement with its recorded Down, newest first', async () => {
    const p = project({
      '1_events.sql': '-- +goose Up\nCREATE TABLE events (id UInt64) ENGINE = MergeTree ORDER BY id;\n-- +goose Down\nDROP TABLE events;\n',
      '2_more.sql':
        '-- +goose Up\nCREATE TABLE one (id UInt64) ENGINE = MergeTree ORDER BY id;\nCREATE TABLE two (id UInt64) ENGINE = MergeTree ORDER BY id;\n-- +goose Down\nDROP TABLE two;\nDROP TABLE one;\n',
    });
    try {
      expect((await migrateUp(context(target, p, silentLogger))).error).toBeUndefined();
      // The branch's copy changes after it was applied: the recorded text is what is undone.
      writeFileSync(path.join(p.dir, '2_more.sql'), '-- +goose Up\nSELECT 1;\n-- +goose Down\nDROP TABLE nothing_like_this;\n');
      p.unlink('1_events.sql');
      p.unlink('2_more.sql');
      const logger = recordingLogger();
      const result = await rollbackOrphans(context(target, p, logger), [orphan(1, '1_events.sql'), orphan(2, '2_more.sql')]);
      expect(result.error).toBeUndefined();
      expect(result.applied.map((a) => a.version)).toEqual([2, 1]);
      expect(logger.lines).toContainEqual(['warn', 'rolling back 2_more.sql (from branch feature): drops table two (rows unknown), table one (rows unknown)']);
      const tables = await clickhouseQuery(
        clickhouseServerUrl(),
        `SELECT name FROM system.tables WHERE database = '${database.database}' AND name IN ('events','one','two')`,
      );
      expect(tables.trim()).toBe('');
      expect((await target.listVersions()).filter((row) => row.isApplied).map((row) => row.version)).toEqual([0]);
      expect(await target.ledger!.list()).toEqual([]);
    } finally {
      p.remove();
    }
  });
});
