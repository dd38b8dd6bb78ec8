import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';

import { isSchemasyncError, type CancelledError, type ConnectionError, type LockError, type MigrationError } from '../../daemon/errors.ts';
import { silentLogger } from '../../daemon/log/types.ts';
import { checksum } from '../../daemon/migrations/checksum.ts';
import { parseMigration } from '../../daemon/migrations/parse.ts';
import type { Direction } from '../../daemon/migrations/types.ts';
import { fingerprintCatalog } from '../../daemon/targets/fingerprint.ts';
import { createPostgresTarget } from '../../daemon/targets/postgres/target.ts';
import type { ApplyUnit, Target } from '../../daemon/targets/target.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';

/** A migration file as source.ts would read it, parsed for one direction. */
function unit(version: number, text: string, direction: Direction = 'up'): ApplyUnit {
  const name = `${String(version).padStart(5, '0')}_test.sql`;
  const path = `migrations/postgres/${name}`;
  const parsed = parseMigration(text, direction, { file: path });
  return {
    file: { version, description: 'test', name, path, text, checksum: checksum(text) },
    direction,
    statements: parsed.statements,
    noTransaction: parsed.noTransaction,
  };
}

/** Runs `promise`, expecting a schemasync error, and returns it. */
async function failure<E>(promise: Promise<unknown>): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSchemasyncError(error)) throw new Error(`expected a schemasync error, got ${String(error)}`);
  return error as E;
}

const WIDGETS = `-- +goose Up
CREATE TABLE widgets (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO widgets VALUES (1, 'one');

-- +goose Down
DROP TABLE widgets;
`;

describeWith('PostgreSQL', postgresMissing(), 'PostgreSQL target', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let target: Target;
  const query = <R extends Record<string, unknown>>(text: string) => withClient(database.url, async (c) => (await c.query<R>(text)).rows);

  beforeEach(async () => {
    database = await createTestDatabase();
    target = createPostgresTarget(database.url, { logger: silentLogger });
  });
  afterEach(async () => {
    await target.close();
    await database.drop();
  });

  it('creates goose’s version table with its exact columns and the version-0 row', async () => {
    expect(await target.listVersions()).toEqual([{ version: 0, isApplied: true, appliedAt: expect.any(Date) as Date }]);
    const columns = await query(`SELECT column_name, data_type, is_nullable, column_default, is_identity
                                   FROM information_schema.columns WHERE table_name = 'goose_db_version' ORDER BY ordinal_position`);
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'integer', is_nullable: 'NO', column_default: null, is_identity: 'YES' },
      { column_name: 'version_id', data_type: 'bigint', is_nullable: 'NO', column_default: null, is_identity: 'NO' },
      { column_name: 'is_applied', data_type: 'boolean', is_nullable: 'NO', column_default: null, is_identity: 'NO' },
      { column_name: 'tstamp', data_type: 'timestamp without time zone', is_nullable: 'NO', column_default: 'now()', is_identity: 'NO' },
    ]);
    // A second call finds the table and adds nothing.
    expect(await target.listVersions()).toHaveLength(1);
  });

  it('creates the table once when two runners start at the same time', async () => {
    const other = createPostgresTarget(database.url, { logger: silentLogger });
    try {
      const [a, b] = await Promise.all([target.listVersions(), other.listVersions()]);
      expect(a.map((row) => row.version)).toEqual([0]);
      expect(b.map((row) => row.version)).toEqual([0]);
      expect(await query('SELECT version_id FROM goose_db_version')).toEqual([{ version_id: '0' }]);
    } finally {
      await other.close();
    }
  });

  it('reads the pre-v3.22 table shape and honours a schema-qualified table name', async () => {
    await query(`CREATE SCHEMA ops;
                 CREATE TABLE ops.versions (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL,
                                            tstamp timestamp NULL default now(), PRIMARY KEY(id));
                 INSERT INTO ops.versions (version_id, is_applied) VALUES (0, true), (1, true), (2, false);`);
    const legacy = createPostgresTarget(database.url, { logger: silentLogger, table: 'ops.versions' });
    try {
      expect((await legacy.listVersions()).map((row) => [row.version, row.isApplied])).toEqual([
        [2, false],
        [1, true],
        [0, true],
      ]);
      await legacy.apply(unit(3, WIDGETS));
      expect((await legacy.listVersions())[0]?.version).toBe(3);
      // Nothing was created in the default place.
      expect(await query(`SELECT to_regclass('public.goose_db_version') AS t`)).toEqual([{ t: null }]);
    } finally {
      await legacy.close();
    }
  });

  it('applies up and down, inserting and deleting the version row', async () => {
    await target.listVersions();
    await target.apply(unit(1, WIDGETS));
    expect((await target.listVersions()).map((row) => row.version)).toEqual([1, 0]);
    expect(await query('SELECT name FROM widgets')).toEqual([{ name: 'one' }]);

    await target.apply(unit(1, WIDGETS, 'down'));
    expect((await target.listVersions()).map((row) => row.version)).toEqual([0]);
    expect(await query(`SELECT to_regclass('widgets') AS t`)).toEqual([{ t: null }]);
  });

  it('rolls back a failing migration completely and says where in the file it failed', async () => {
    await target.listVersions();
    const text = `-- +goose Up
CREATE TABLE gadgets (id int PRIMARY KEY);
INSERT INTO gadgets VALUES (1);
SELECT id,
       no_such_column
  FROM gadgets;
-- +goose Down
DROP TABLE gadgets;
`;
    const error = await failure<MigrationError>(target.apply(unit(7, text)));
    expect(error.code).toBe('MIGRATION');
    expect(error.details).toMatchObject({
      target: 'postgres',
      file: 'migrations/postgres/00007_test.sql',
      direction: 'up',
      statementIndex: 2,
      statement: 'SELECT id,\n       no_such_column\n  FROM gadgets;',
      line: 5,
      column: 8,
      serverCode: '42703',
      appliedStatements: [],
      rolledBack: true,
    });
    expect(error.details.serverMessage).toContain('no_such_column');
    expect(error.details.codeFrame).toContain('> 5 |        no_such_column');
    expect(error.details.codeFrame).toMatch(/\|\s+\^/);
    expect(error.message).toContain('migrations/postgres/00007_test.sql:5:8');
    // Nothing of it stayed: no table, no version row.
    expect(await query(`SELECT to_regclass('gadgets') AS t`)).toEqual([{ t: null }]);
    expect((await target.listVersions()).map((row) => row.version)).toEqual([0]);
  });

  it('points at the statement’s first line when the server gives no position', async () => {
    await target.listVersions();
    const text = `-- +goose Up
CREATE TABLE t1 (id int);

  INSERT INTO t1 VALUES ('not a number');
`;
    const error = await failure<MigrationError>(target.apply(unit(2, text)));
    expect(error.details).toMatchObject({ statementIndex: 1, serverCode: '22P02' });
    // 22P02 carries a position on recent servers; either way the line is the INSERT's.
    expect(error.details.line).toBe(4);
  });

  it('reports the statements a failed NO TRANSACTION migration leaves applied, and records no version', async () => {
    await target.listVersions();
    const text = `-- +goose NO TRANSACTION
-- +goose Up
CREATE TABLE items (id int);
CREATE INDEX CONCURRENTLY items_id ON items (id);
CREATE INDEX CONCURRENTLY items_id ON items (id);
-- +goose Down
DROP TABLE items;
`;
    const error = await failure<MigrationError>(target.apply(unit(3, text)));
    expect(error.details).toMatchObject({ statementIndex: 2, serverCode: '42P07', appliedStatements: [0, 1], rolledBack: false, line: 5 });
    expect(await query(`SELECT indexname FROM pg_indexes WHERE tablename = 'items'`)).toEqual([{ indexname: 'items_id' }]);
    expect((await target.listVersions()).map((row) => row.version)).toEqual([0]);
  });

  it('runs a NO TRANSACTION migration outside a transaction and on one session', async () => {
    await target.listVersions();
    const text = `-- +goose NO TRANSACTION
-- +goose Up
CREATE TABLE items (id int);
SET search_path TO pg_catalog, public;
CREATE INDEX CONCURRENTLY items_id ON items (id);
-- +goose Down
DROP TABLE items;
`;
    await target.apply(unit(4, text));
    expect((await target.listVersions()).map((row) => row.version)).toEqual([4, 0]);
  });

  it('applies several units atomically: a failure in the second undoes the first', async () => {
    await target.listVersions();
    await target.apply(unit(1, WIDGETS));
    const broken = `-- +goose Up
CREATE TABLE widgets (id int PRIMARY KEY, name text NOT NULL, colour text);
INSERT INTO widgets VALUES (1, 'one', 'red'), (1, 'dup', 'blue');
`;
    const error = await failure<MigrationError>(target.applyAtomically([unit(1, WIDGETS, 'down'), unit(1, broken)]));
    expect(error.details).toMatchObject({ statementIndex: 1, serverCode: '23505', rolledBack: true });
    // The old Down was rolled back too: the old table and its row are still there.
    expect(await query('SELECT name FROM widgets')).toEqual([{ name: 'one' }]);
    expect((await target.listVersions()).map((row) => row.version)).toEqual([1, 0]);

    const fixed = broken.replace(`(1, 'dup', 'blue')`, `(2, 'two', 'blue')`);
    await target.applyAtomically([unit(1, WIDGETS, 'down'), unit(1, fixed)]);
    expect(await query('SELECT colour FROM widgets ORDER BY id')).toEqual([{ colour: 'red' }, { colour: 'blue' }]);
    expect((await target.listVersions()).map((row) => row.version)).toEqual([1, 0]);
  });

  it('cancels a running statement on abort, rolls back and returns quickly', async () => {
    await target.listVersions();
    const text = `-- +goose Up
CREATE TABLE slow (id int);
SELECT pg_sleep(30);
`;
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    const error = await failure<CancelledError>(target.apply(unit(5, text), controller.signal));
    expect(error.code).toBe('CANCELLED');
    expect(error.message).toContain('rolled back');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await query(`SELECT to_regclass('slow') AS t`)).toEqual([{ t: null }]);
    expect((await target.listVersions()).map((row) => row.version)).toEqual([0]);
    // No session of ours is left running the statement.
    expect(await query(`SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%' AND state = 'active'`)).toEqual([]);
  });

  it('lets exactly one runner hold the lock; the waiter is told who holds it', async () => {
    const other = createPostgresTarget(database.url, { logger: silentLogger });
    try {
      let inside = 0;
      let maxInside = 0;
      const notices: string[] = [];
      const work = async () => {
        inside += 1;
        maxInside = Math.max(maxInside, inside);
        await new Promise((resolve) => setTimeout(resolve, 700));
        inside -= 1;
      };
      let releaseFirst!: () => void;
      const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
      let firstEntered!: () => void;
      const entered = new Promise<void>((resolve) => (firstEntered = resolve));
      const first = target.withLock(async () => {
        firstEntered();
        await work();
        await firstHolds;
      });
      await entered;
      const second = other.withLock(work, { onWait: (holder) => notices.push(holder) });
      await new Promise((resolve) => setTimeout(resolve, 300));
      releaseFirst();
      await Promise.all([first, second]);
      expect(maxInside).toBe(1);
      expect(notices.length).toBeGreaterThanOrEqual(1);
      expect(notices[0]).toMatch(/^pid \d+ \(schemasync (on \S+|over a local socket), since \d\d:\d\d:\d\d\)$/);
    } finally {
      await other.close();
    }
  });

  it('gives up waiting for the lock after the timeout with a LockError naming the holder', async () => {
    // goose's Provider (or anyone) holding the same key on a plain session.
    await withClient(database.url, async (client) => {
      await client.query(`SET application_name = 'goose-provider'`);
      await client.query('SELECT pg_advisory_lock(4097083626)');
      const error = await failure<LockError>(target.withLock(() => Promise.resolve('never'), { timeoutMs: 1_200 }));
      expect(error.code).toBe('LOCK');
      expect(error.message).toContain('goose-provider');
    });
    // Its session ended, so the lock is free again.
    expect(await target.withLock(() => Promise.resolve('ran'))).toBe('ran');
  });

  it('passes the locked function’s own error through and releases the lock', async () => {
    const boom = new Error('boom');
    await expect(target.withLock(async () => Promise.reject(boom))).rejects.toBe(boom);
    expect(await query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 4097083626`)).toEqual([{ n: 0 }]);
  });

  it('stops waiting for the lock when aborted', async () => {
    await withClient(database.url, async (client) => {
      await client.query('SELECT pg_advisory_lock(4097083626)');
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const error = await failure<CancelledError>(target.withLock(() => Promise.resolve('never'), { signal: controller.signal }));
      expect(error.code).toBe('CANCELLED');
    });
  });

  it('fingerprints the schema: DDL changes it, an INSERT does not, goose’s table is not part of it', async () => {
    await target.listVersions();
    const empty = await target.introspect();
    expect(empty).toEqual([]);

    await target.apply(
      unit(
        1,
        `-- +goose Up
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE people (id bigserial PRIMARY KEY, name text NOT NULL DEFAULT 'anon', mood mood);
CREATE TABLE pets (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, owner bigint REFERENCES people (id));
CREATE INDEX pets_owner ON pets (owner);
CREATE VIEW happy_people AS SELECT id, name FROM people WHERE mood = 'happy';
-- +goose StatementBegin
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
-- +goose StatementEnd
CREATE TRIGGER people_touch BEFORE UPDATE ON people FOR EACH ROW EXECUTE FUNCTION touch();
CREATE SCHEMA IF NOT EXISTS schemasync;
CREATE TABLE schemasync.bookkeeping (id int);
`,
      ),
    );
    const catalog = await target.introspect();
    const names = catalog.map((entry) => `${entry.kind} ${entry.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'table people',
        'column people.name',
        'constraint pets.pets_owner_fkey',
        'index pets_owner',
        'enum mood',
        'view happy_people',
        'function touch()',
        'trigger people.people_touch',
        'sequence people_id_seq',
      ]),
    );
    expect(names.filter((name) => /goose_db_version|schemasync|bookkeeping/.test(name))).toEqual([]);
    expect(catalog.find((entry) => entry.name === 'people.name')?.detail).toMatchObject({ type: 'text', nullable: false, default: "'anon'::text" });
    expect(catalog.find((entry) => entry.kind === 'enum')?.detail).toEqual({ labels: '["sad","ok","happy"]' });
    expect(catalog.find((entry) => entry.name === 'pets.pets_owner_fkey')?.detail.definition).toBe('FOREIGN KEY (owner) REFERENCES people(id)');

    const before = fingerprintCatalog(catalog);
    expect(fingerprintCatalog(await target.introspect())).toBe(before);

    await query(`INSERT INTO people (name) VALUES ('a'), ('b'); INSERT INTO pets (owner) VALUES (1)`);
    expect(fingerprintCatalog(await target.introspect())).toBe(before);

    await query('ALTER TABLE people ADD COLUMN nickname text');
    expect(fingerprintCatalog(await target.introspect())).not.toBe(before);
  });
});

describeWith('PostgreSQL', postgresMissing(), 'PostgreSQL target connection errors', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('says when the database does not exist, without the password', async () => {
    const url = new URL(database.url);
    url.pathname = '/no_such_database';
    const target = createPostgresTarget(url.toString(), { logger: silentLogger });
    const error = await failure<ConnectionError>(target.connect());
    expect(error.code).toBe('CONNECTION');
    expect(error.message).toContain('database "no_such_database" does not exist');
    if (url.password) expect(error.message).not.toContain(url.password);
    await target.close();
  });

  it('says when the password is wrong', async () => {
    const url = new URL(database.url);
    url.password = 'definitely-wrong';
    const target = createPostgresTarget(url.toString(), { logger: silentLogger });
    const error = await failure<ConnectionError>(target.connect());
    expect(error.message).toMatch(/password authentication failed|refused user/);
    expect(error.message).not.toContain('definitely-wrong');
  });

  it('says when nothing listens on the port', async () => {
    const target = createPostgresTarget('postgres://someone:secret@127.0.0.1:1/db', { logger: silentLogger });
    const error = await failure<ConnectionError>(target.connect());
    expect(error.message).toContain('nothing is listening on 127.0.0.1:1');
    expect(error.message).not.toContain('secret');
    expect(target.where).toBe('postgres://someone:***@127.0.0.1:1/db');
  });
});
