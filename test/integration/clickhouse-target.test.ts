import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { isSchemasyncError, type MigrationError } from '../../daemon/errors.ts';
import { silentLogger } from '../../daemon/log/types.ts';
import { checksum } from '../../daemon/migrations/checksum.ts';
import { parseMigrationFilename } from '../../daemon/migrations/filename.ts';
import { parseMigration } from '../../daemon/migrations/parse.ts';
import type { Direction, MigrationFile } from '../../daemon/migrations/types.ts';
import { createLockTable } from '../../daemon/targets/clickhouse/queries.ts';
import { createClickHouseTarget } from '../../daemon/targets/clickhouse/target.ts';
import type { ApplyUnit, Target } from '../../daemon/targets/target.ts';
import { CLICKHOUSE_ENGINES, type EngineDatabase } from '../helpers/clickhouse-engines.ts';
import { describeWith } from '../helpers/require.ts';

const EXAMPLES = join(import.meta.dirname, '../../migrations/clickhouse');

function migrationFile(name: string, text: string, path = `migrations/clickhouse/${name}`): MigrationFile {
  const { version, description } = parseMigrationFilename(name);
  return { version, description, name, path, text, checksum: checksum(text) };
}

function unit(file: MigrationFile, direction: Direction): ApplyUnit {
  const { statements, noTransaction } = parseMigration(file.text, direction, { file: file.path });
  return { file, direction, statements, noTransaction };
}

const examples = readdirSync(EXAMPLES)
  .filter((name) => name.endsWith('.sql'))
  .sort()
  .map((name) => migrationFile(name, readFileSync(join(EXAMPLES, name), 'utf8')));

for (const engine of CLICKHOUSE_ENGINES)
  describeWith(engine.needs, engine.missing(), `ClickHouse target on ${engine.name}`, () => {
    let database: EngineDatabase;
    let targets: Target[];
    const open = (ownerId?: string) => {
      const target = createClickHouseTarget(database.url, { logger: silentLogger, lock: { pollEveryMs: 100, ownerId }, session: database.session });
      targets.push(target);
      return target;
    };
    const query = (sql: string) => database.query(sql);

    beforeEach(async () => {
      database = await engine.createDatabase();
      targets = [];
    });
    afterEach(async () => {
      await Promise.all(targets.map((target) => target.close()));
      await database.drop();
    });

    it('applies the example migrations up, lists them, rolls back once and redoes', async () => {
      const target = open();
      await target.connect();
      expect((await target.listVersions()).map((row) => row.version)).toEqual([0]);

      for (const file of examples) await target.apply(unit(file, 'up'));
      const [newest, middle] = examples.map((file) => file.version).reverse();
      const applied = await target.listVersions();
      expect(applied.map((row) => row.version)).toEqual([newest, middle, 0]);
      expect(applied.every((row) => row.isApplied)).toBe(true);
      expect(Math.abs(applied[0]!.appliedAt!.getTime() - Date.now())).toBeLessThan(60_000);

      // The materialized view feeds issues from error_events.
      await query(
        `INSERT INTO error_events (event_id, project_id, fingerprint, timestamp, level, message) SELECT generateUUIDv4(), 7, 'fp', toDateTime('2025-01-01 10:00:00'), 'error', 'first' UNION ALL SELECT generateUUIDv4(), 7, 'fp', toDateTime('2025-01-01 11:00:00'), 'fatal', 'second'`,
      );
      expect(await query('SELECT countMerge(events), argMaxMerge(last_message) FROM issues GROUP BY project_id, fingerprint')).toBe('2\tsecond\n');

      // Down: the version row is gone for every later read (on 18.16 via the system.mutations wait).
      const last = examples[examples.length - 1]!;
      await target.apply(unit(last, 'down'));
      expect(await query(`SELECT count() FROM goose_db_version WHERE version_id = ${last.version}`)).toBe('0\n');
      // Current servers print the command in parentheses.
      expect(await query(`SELECT command, is_done FROM system.mutations WHERE database = '${database.database}' AND table = 'goose_db_version'`)).toMatch(
        new RegExp(`^\\(?DELETE WHERE version_id = ${last.version}\\)?\t1\n$`),
      );
      expect((await target.listVersions()).map((row) => row.version)).toEqual([middle, 0]);
      expect(await query(`EXISTS TABLE issues`)).toBe('0\n');

      // Redo the first one (down then up) and re-apply the last.
      await target.apply(unit(examples[0]!, 'down'));
      expect((await target.listVersions()).map((row) => row.version)).toEqual([0]);
      for (const file of examples) await target.apply(unit(file, 'up'));
      expect((await target.listVersions()).map((row) => row.version)).toEqual([newest, middle, 0]);
      expect(await query('SELECT count() FROM goose_db_version')).toBe('3\n');
    });

    it('reports a failing second statement with file, line, code and what stays applied', async () => {
      const target = open();
      const text = [
        '-- +goose Up',
        'CREATE TABLE kept (id UInt64) ENGINE = MergeTree() ORDER BY id;',
        '',
        'CREATE TABLE broken (',
        '    id UInt64',
        ') ENGINE = MergeTree() ORDR BY id;',
        '-- +goose Down',
        'DROP TABLE kept;',
      ].join('\n');
      const file = migrationFile('20250102000000_half.sql', text);
      const before = await target.listVersions();

      const error = await target.apply(unit(file, 'up')).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isSchemasyncError(error) && error.code === 'MIGRATION').toBe(true);
      const details = (error as MigrationError).details;
      expect(details).toMatchObject({
        target: 'clickhouse',
        file: 'migrations/clickhouse/20250102000000_half.sql',
        direction: 'up',
        statementIndex: 1,
        serverCode: '62',
        line: 6,
        column: 24, // "ORDR", mapped from the server's "failed at position N"
        appliedStatements: [0],
        rolledBack: false,
      });
      expect(details.serverMessage).toMatch(/^Syntax error/);
      expect(details.serverMessage).not.toMatch(/Stack trace|e\.what\(\)/);
      expect(details.codeFrame).toContain('> 6 |');
      expect((error as Error).message).toContain('migrations/clickhouse/20250102000000_half.sql:6:24');
      expect((error as Error).message).toMatch(/statement 1 of 20250102000000_half\.sql \(up\) already ran and stay applied/);

      expect(await target.listVersions()).toEqual(before);
      expect(await query('EXISTS TABLE kept')).toBe('1\n');
    });

    it('points at the statement start when the server names no position, with the numeric code', async () => {
      const target = open();
      const file = migrationFile('20250103000000_type.sql', '-- +goose Up\n  CREATE TABLE t (x NoSuchType) ENGINE = Memory;\n');
      const error = (await target.apply(unit(file, 'up')).catch((caught: unknown) => caught)) as MigrationError;
      expect(error.details).toMatchObject({ line: 2, column: 3, serverCode: '50', appliedStatements: [] });
      expect(error.message).toContain('Nothing of 20250103000000_type.sql ran');
    });

    it('cancels an in-flight statement when the signal aborts', async () => {
      const target = open();
      const file = migrationFile('20250104000000_slow.sql', '-- +goose Up\nSELECT sleep(3);\n');
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 200);
      const error = await target.apply(unit(file, 'up'), controller.signal).catch((caught: unknown) => caught);
      expect(isSchemasyncError(error) && error.code).toBe('CANCELLED');
      expect(Date.now() - started).toBeLessThan(2500);
      expect((await target.listVersions()).map((row) => row.version)).toEqual([0]);
    });

    it('lets exactly one runner hold the lock and tells the waiter who holds it', async () => {
      const first = open('runner-a');
      const second = open('runner-b');
      const events: string[] = [];
      const waits: string[] = [];
      let releaseFirst!: () => void;
      const firstHolding = new Promise<void>((resolve) => {
        void first.withLock(async () => {
          events.push('a in');
          resolve();
          await new Promise<void>((release) => (releaseFirst = release));
          events.push('a out');
        });
      });
      await firstHolding;
      const secondDone = second.withLock(
        () => {
          events.push('b in');
          return Promise.resolve();
        },
        { onWait: (holder) => waits.push(holder) },
      );
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(events).toEqual(['a in']);
      releaseFirst();
      await secondDone;
      expect(events).toEqual(['a in', 'a out', 'b in']);
      expect(waits[0]).toMatch(/^runner-a \(ticket 1, since .*, lease until .*\)$/);
    });

    it('times out with a LockError naming the holder', async () => {
      await query(createLockTable());
      await query(`INSERT INTO schemasync_lock SELECT 'someone-else', 1, 1, 0, 0, now(), now() + 60`);
      const error = await open('runner-c')
        .withLock(() => Promise.resolve('entered'), { timeoutMs: 500 })
        .catch((caught: unknown) => caught);
      expect(isSchemasyncError(error) && error.code).toBe('LOCK');
      expect((error as Error).message).toMatch(/held by someone-else/);
    });

    it('takes over a dead holder once its lease has expired', async () => {
      await query(createLockTable());
      // A long-dead runner, and one that died a moment ago with two seconds of lease left.
      await query(`INSERT INTO schemasync_lock SELECT 'long-dead', 1, 1, 0, 0, now() - 100, now() - 70`);
      await query(`INSERT INTO schemasync_lock SELECT 'just-died', 1, 2, 0, 0, now() - 28, now() + 2`);
      const waits: string[] = [];
      const started = Date.now();
      const result = await open('runner-d').withLock(() => Promise.resolve('entered'), { onWait: (holder) => waits.push(holder), timeoutMs: 10_000 });
      expect(result).toBe('entered');
      expect(waits.length).toBeGreaterThan(0);
      expect(waits.every((holder) => holder.startsWith('just-died '))).toBe(true);
      expect(Date.now() - started).toBeGreaterThan(900);
    });

    it('introspects tables, columns, engines, keys and the materialized view, without bookkeeping tables', async () => {
      const target = open();
      for (const file of examples) await target.apply(unit(file, 'up'));
      await target.withLock(async () => {});
      const catalog = await target.introspect();
      const byName = (kind: string, name: string) => catalog.find((entry) => entry.kind === kind && entry.name === name);

      expect(byName('table', 'error_events')?.detail).toEqual({
        engine: 'MergeTree',
        sorting_key: 'project_id, timestamp, fingerprint',
        partition_key: 'toYYYYMM(timestamp)',
        primary_key: 'project_id, timestamp, fingerprint',
      });
      expect(byName('table', 'issues')?.detail).toMatchObject({ engine: 'AggregatingMergeTree', sorting_key: 'project_id, fingerprint' });
      expect(byName('column', 'error_events.level')?.detail.type).toMatch(/^Enum8\('debug' = 1/);
      expect(byName('column', 'error_events.tags.key')?.detail.type).toBe('Array(String)');
      expect(byName('column', 'issues.events')?.detail).toEqual({ type: 'AggregateFunction(count)', default_kind: '', default_expression: '' });
      const view = byName('materialized_view', 'issues_mv');
      expect(view?.detail.target).toBe('issues');
      expect(view?.detail.as_select).toMatch(/^SELECT .*FROM error_events/s);
      expect(String(view?.detail.as_select)).not.toContain(database.database);
      expect(catalog.some((entry) => /goose_db_version|schemasync_lock/.test(entry.name))).toBe(false);
      expect(catalog.some((entry) => entry.name.startsWith('issues_mv.'))).toBe(false);
    });
  });
