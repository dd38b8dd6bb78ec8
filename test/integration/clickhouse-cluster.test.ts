import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { clickhouseClusterMissing, startClickHouseCluster, type ClickHouseCluster, type ClusterReplica } from '../helpers/clickhouse-cluster.ts';
import { runSchemasync, startSchemasync, type LogEvent } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';

/**
 * schemasync's cluster mode against a real 2-replica ClickHouse 18.16 cluster (one ZooKeeper,
 * two clickhouse-server processes; test/helpers/clickhouse-cluster.ts), one cluster for the file.
 * Every run goes through the real CLI process. Timeouts are short so faults fail in seconds.
 */
const DB = 'cluster_db';
const ON = 'ON CLUSTER schemasync_test';
const replicated = (table: string) => `ReplicatedMergeTree('/clickhouse/tables/{shard}/${DB}/${table}', '{replica}') ORDER BY id`;

const EVENTS = `-- +goose Up
CREATE TABLE IF NOT EXISTS events ${ON} (id UInt64, at DateTime) ENGINE = ${replicated('events')};

-- +goose Down
DROP TABLE IF EXISTS events ${ON};
`;
const USERS = `-- +goose Up
CREATE TABLE IF NOT EXISTS users ${ON} (id UInt64, name String) ENGINE = ${replicated('users')};

-- +goose Down
DROP TABLE IF EXISTS users ${ON};
`;

describeWith(
  'a ClickHouse cluster (clickhouse-server + zookeeper) and PostgreSQL',
  clickhouseClusterMissing() ?? postgresMissing(),
  'cluster mode on a 2-replica ClickHouse cluster',
  () => {
    let cluster: ClickHouseCluster;
    let r1: ClusterReplica;
    let r2: ClusterReplica;
    let root: string;
    const migrations = () => path.join(root, 'migrations', 'clickhouse');
    const env = (replica: ClusterReplica) => ({
      // Settings in the URL's query string go with every query: short DDL and quorum timeouts.
      CLICKHOUSE_URL: `${replica.url}/${DB}?distributed_ddl_task_timeout=3&insert_quorum_timeout=3000`,
      CLICKHOUSE_CLUSTER: 'schemasync_test',
      DATABASE_URL: '',
    });
    const cli = (replica: ClusterReplica, ...args: string[]) => runSchemasync([...args, '--target', 'clickhouse'], { cwd: root, env: env(replica) });
    const status = async (replica: ClusterReplica) => {
      const run = await cli(replica, 'status', '--json');
      expect(run.code, run.output).toBe(0);
      return (JSON.parse(run.stdout) as Array<{ version: number; state: string }>).map((row) => `${row.version}:${row.state}`);
    };
    const sql = async (replica: ClusterReplica, query: string) => (await replica.query(query, { database: DB })).trim();
    /** A version's newest row in goose's table, read directly: `applied`, `tombstone` or `none`. */
    const versionState = async (replica: ClusterReplica, version: number) => {
      const [count, applied] = (
        await sql(
          replica,
          `SELECT count(), argMax(is_applied, revision) FROM goose_db_version WHERE version_id = ${version} SETTINGS select_sequential_consistency = 1`,
        )
      ).split('\t');
      return count === '0' ? 'none' : applied === '1' ? 'applied' : 'tombstone';
    };
    const addMigration = (name: string, text: string) => writeFile(path.join(migrations(), name), text);

    beforeAll(async () => {
      cluster = await startClickHouseCluster();
      [r1, r2] = cluster.replicas;
      await r1.query(`CREATE DATABASE ${DB} ${ON}`);
      root = await mkdtemp(path.join(tmpdir(), 'schemasync-cluster-project-'));
      await mkdir(migrations(), { recursive: true });
      await addMigration('00001_events.sql', EVENTS);
      await addMigration('00002_users.sql', USERS);
    });
    afterAll(async () => {
      await cluster?.stop();
      if (root) await rm(root, { recursive: true, force: true });
    });

    it('up through replica 1 creates the tables on both replicas and records the versions; status through replica 2 shows them applied', async () => {
      const up = await cli(r1, 'up');
      expect(up.code, up.output).toBe(0);
      for (const table of ['events', 'users', 'goose_db_version', 'schemasync_migrations', 'schemasync_lock']) {
        expect(await sql(r2, `EXISTS TABLE ${table}`), table).toBe('1');
      }
      expect(await sql(r2, `SELECT engine FROM system.tables WHERE database = '${DB}' AND name = 'goose_db_version'`)).toBe('ReplicatedReplacingMergeTree');
      expect(await status(r2)).toEqual(['1:applied', '2:applied']);
      // The ledger is replicated too: replica 2 has both entries.
      expect(await sql(r2, 'SELECT count() FROM schemasync_migrations FINAL WHERE removed = 0')).toBe('2');
    });

    it('down through replica 2 is seen as rolled back through replica 1: a tombstone row, no mutation', async () => {
      const down = await cli(r2, 'down');
      expect(down.code, down.output).toBe(0);
      expect(await status(r1)).toEqual(['1:applied', '2:pending']);
      expect(await sql(r1, 'EXISTS TABLE users')).toBe('0');
      expect(await versionState(r1, 2)).toBe('tombstone');
      expect(await sql(r1, `SELECT count() FROM system.mutations WHERE database = '${DB}'`)).toBe('0');
    });

    it('redo through replica 1 rolls back and re-applies the newest version; replica 2 agrees', async () => {
      expect((await cli(r1, 'up')).code).toBe(0);
      const redo = await cli(r1, 'redo');
      expect(redo.code, redo.output).toBe(0);
      expect(redo.events.filter((e) => e.event === 'migration:applied').map((e) => e.direction)).toEqual(['down', 'up']);
      expect(await status(r2)).toEqual(['1:applied', '2:applied']);
      expect(await versionState(r2, 2)).toBe('applied');
    });

    it('two up runs started together on the two replicas apply each migration once; the waiter names the holder', async () => {
      // The first statement holds the lock long enough for the other run to queue behind it.
      await addMigration(
        '00003_log.sql',
        `-- +goose Up\nSELECT sleep(2);\nCREATE TABLE IF NOT EXISTS log ${ON} (id UInt64) ENGINE = ${replicated('log')};\n\n-- +goose Down\nDROP TABLE IF EXISTS log ${ON};\n`,
      );
      const runs = [r1, r2].map((replica) => startSchemasync(['up', '--target', 'clickhouse'], { cwd: root, env: { ...env(replica), LOG_LEVEL: 'info' } }));
      const codes = await Promise.all(runs.map((run) => run.exited));
      const text = runs.map((run) => run.text()).join('\n');
      expect(codes, text).toEqual([0, 0]);
      const applied = runs.flatMap((run) => run.events.filter((e) => e.event === 'migration:applied'));
      expect(applied.map((e) => e.version)).toEqual([3]);
      expect(await versionState(r2, 3)).toBe('applied');
      const waits = runs.flatMap((run) => run.events.filter((e: LogEvent) => e.event === 'lock:wait'));
      expect(waits.length, text).toBeGreaterThan(0);
      const holderPids = waits.map((e) => new RegExp(`^${hostname()}-(\\d+)-`).exec(String(e.holder))?.[1]);
      const pids = runs.map((run) => String(run.child.pid));
      expect(
        holderPids.every((pid) => pid !== undefined && pids.includes(pid)),
        text,
      ).toBe(true);
    });

    it('with replica 2 stopped, up fails naming the quorum and records nothing; after a restart it applies once', async () => {
      await addMigration(
        '00004_sessions.sql',
        `-- +goose Up\nCREATE TABLE IF NOT EXISTS sessions ${ON} (id UInt64) ENGINE = ${replicated('sessions')};\n\n-- +goose Down\nDROP TABLE IF EXISTS sessions ${ON};\n`,
      );
      await r2.stop();
      try {
        const started = Date.now();
        const up = await cli(r1, 'up');
        expect(up.code, up.output).not.toBe(0);
        expect(up.output).toMatch(/node 01-r2 of cluster schemasync_test is not active .* insert_quorum=2 \(every node\)/);
        expect(Date.now() - started).toBeLessThan(15_000);
        expect(await sql(r1, 'EXISTS TABLE sessions')).toBe('0');
        expect(await versionState(r1, 4)).toBe('none');
      } finally {
        await r2.start();
      }
      const again = await cli(r1, 'up');
      expect(again.code, again.output).toBe(0);
      expect(again.events.filter((e) => e.event === 'migration:applied').map((e) => e.version)).toEqual([4]);
      expect(await versionState(r2, 4)).toBe('applied');
      expect(await sql(r2, 'EXISTS TABLE sessions')).toBe('1');
    });

    /** Starts `up` through replica 1 and stops replica 2 while the file's first statement (a sleep) runs. */
    const upWhileReplica2Stops = async () => {
      const run = startSchemasync(['up', '--target', 'clickhouse'], { cwd: root, env: env(r1) });
      const deadline = Date.now() + 20_000;
      while (!(await sql(r1, "SELECT count() FROM system.processes WHERE query LIKE 'SELECT sleep(2)%'")).startsWith('1')) {
        if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`the sleep never started:\n${run.text()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await r2.stop();
      const code = await run.exited;
      return { code, text: run.text(), events: run.events };
    };

    it('replica 2 stopped during a run: the version write fails naming the quorum and the statements that ran; after a restart the file applies once', async () => {
      await addMigration('00005_seed.sql', `-- +goose Up\nSELECT sleep(2);\nINSERT INTO events (id, at) SELECT 5, now();\n\n-- +goose Down\nSELECT 1;\n`);
      try {
        const { code, text, events } = await upWhileReplica2Stops();
        expect(code, text).not.toBe(0);
        const failure = events.find((e) => e.event === 'failure' || e.level >= 50);
        expect(String(failure?.msg ?? text)).toMatch(
          /version 5 \(00005_seed\.sql, up\) was NOT recorded: .*insert_quorum=2.*all 2 of its statements ran and stay applied/,
        );
        expect(await versionState(r1, 5)).toBe('none');
      } finally {
        await r2.start();
      }
      // The failed run released its lock on replica 1 alone (no quorum without replica 2): the
      // next run must not wait for that claim's 30 s lease to run out.
      const restarted = Date.now();
      const again = await cli(r1, 'up');
      expect(again.code, again.output).toBe(0);
      expect(
        again.events.filter((e) => e.event === 'lock:wait'),
        again.output,
      ).toEqual([]);
      expect(Date.now() - restarted).toBeLessThan(15_000);
      expect(again.events.filter((e) => e.event === 'migration:applied').map((e) => e.version)).toEqual([5]);
      expect(await versionState(r2, 5)).toBe('applied');
    });

    it('a distributed DDL timeout names the replica that did not run the statement and what already ran; the replica runs it when back', async () => {
      await addMigration(
        '00006_audit.sql',
        `-- +goose Up\nSELECT sleep(2);\nCREATE TABLE IF NOT EXISTS audit ${ON} (id UInt64) ENGINE = ${replicated('audit')};\n\n-- +goose Down\nDROP TABLE IF EXISTS audit ${ON};\n`,
      );
      try {
        const { code, text } = await upWhileReplica2Stops();
        expect(code, text).not.toBe(0);
        expect(text).toMatch(new RegExp(`00006_audit\\.sql:3:1: up statement 2 failed on clickhouse \\[159\\]`));
        expect(text).toMatch(new RegExp(`did not finish on 127\\.0\\.0\\.1:${r2.tcpPort} \\(it ran on 127\\.0\\.0\\.1:${r1.tcpPort}; `));
        expect(text).toMatch(/statement 1 of 00006_audit\.sql \(up\) already ran/);
        expect(await versionState(r1, 6)).toBe('none');
      } finally {
        await r2.start();
      }
      const again = await cli(r1, 'up');
      expect(again.code, again.output).toBe(0);
      expect(await sql(r2, 'EXISTS TABLE audit')).toBe('1');
      expect(await versionState(r2, 6)).toBe('applied');
    });

    it('a statement failing mid-file reports file:line, leaves the first statement applied on both replicas and records nothing', async () => {
      await addMigration(
        '00007_broken.sql',
        `-- +goose Up\nCREATE TABLE IF NOT EXISTS metrics ${ON} (id UInt64) ENGINE = ${replicated('metrics')};\nALTER TABLE metrics ${ON} ADD COLUMN broken NoSuchType;\n\n-- +goose Down\nDROP TABLE IF EXISTS metrics ${ON};\n`,
      );
      const up = await cli(r2, 'up');
      expect(up.code, up.output).toBe(1);
      expect(up.output).toMatch(/00007_broken\.sql:3:1: up statement 2 failed on clickhouse/);
      expect(up.output).toMatch(/statement 1 of 00007_broken\.sql \(up\) already ran/);
      expect(await sql(r1, 'EXISTS TABLE metrics')).toBe('1');
      expect(await versionState(r1, 7)).toBe('none');
      await rm(path.join(migrations(), '00007_broken.sql'));
    });

    it('warns once, with file:line, about DDL without ON CLUSTER and a non-replicated MergeTree; create writes a cluster template', async () => {
      await addMigration(
        '00008_local.sql',
        `-- +goose Up\nSELECT 1;\nCREATE TABLE IF NOT EXISTS local_only (id UInt64)\n  ENGINE = MergeTree() ORDER BY id;\n\n-- +goose Down\nDROP TABLE IF EXISTS local_only;\n`,
      );
      const up = await cli(r1, 'up');
      expect(up.code, up.output).toBe(0);
      const warnings = up.events.filter((e) => e.event === 'validate:cluster').map((e) => String(e.msg));
      expect(warnings).toEqual([
        expect.stringMatching(/00008_local\.sql:3: CREATE TABLE without ON CLUSTER runs on the connected node only; write ON CLUSTER schemasync_test/),
        expect.stringMatching(/00008_local\.sql:3: MergeTree is not replicated/),
        expect.stringMatching(/00008_local\.sql:7: DROP TABLE without ON CLUSTER/),
      ]);

      const create = await runSchemasync(['create', 'add_things', '--target', 'clickhouse'], { cwd: root, env: env(r1) });
      expect(create.code, create.output).toBe(0);
      const created = (await readdir(migrations())).find((name) => name.endsWith('_add_things.sql'))!;
      const template = await readFile(path.join(migrations(), created), 'utf8');
      expect(template).toMatch(/CREATE TABLE IF NOT EXISTS example ON CLUSTER schemasync_test/);
      expect(template).toMatch(/ReplicatedMergeTree\(/);
      await rm(path.join(migrations(), created));
    });

    it('watch mode applies a new file through replica 1 and replica 2 sees it; a cluster warning is said once across runs', async () => {
      const pg = await createTestDatabase();
      await mkdir(path.join(root, 'migrations', 'postgres'), { recursive: true });
      const daemon = startSchemasync(['watch'], { cwd: root, env: { ...env(r1), DATABASE_URL: pg.url } });
      try {
        await daemon.waitFor((e) => e.event === 'run:end', 60_000, 'the first run');
        await addMigration(
          '00009_pages.sql',
          `-- +goose Up\nCREATE TABLE IF NOT EXISTS pages ${ON} (id UInt64) ENGINE = ${replicated('pages')};\n\n-- +goose Down\nDROP TABLE pages;\n`,
        );
        await daemon.waitFor((e) => e.event === 'migration:applied' && e.version === 9, 30_000, 'version 9 applied');
        await addMigration('00010_noop.sql', `-- +goose Up\nSELECT 1;\n\n-- +goose Down\nSELECT 1;\n`);
        await daemon.waitFor((e) => e.event === 'migration:applied' && e.version === 10, 30_000, 'version 10 applied');
        const warnings = daemon.events.filter((e) => e.event === 'validate:cluster' && String(e.file).endsWith('00009_pages.sql'));
        expect(warnings.map((e) => e.msg)).toEqual([expect.stringMatching(/00009_pages\.sql:5: DROP TABLE without ON CLUSTER/)]);

        // A node goes down: the daemon says so once and waits, then applies when it is back.
        await r2.stop();
        try {
          await addMigration('00011_later.sql', `-- +goose Up\nSELECT 1;\n\n-- +goose Down\nSELECT 1;\n`);
          await daemon.waitFor((e) => e.event === 'db:wait', 30_000, 'the daemon to wait for the node');
          await new Promise((resolve) => setTimeout(resolve, 2000));
        } finally {
          await r2.start();
        }
        await daemon.waitFor((e) => e.event === 'migration:applied' && e.version === 11, 30_000, 'version 11 applied');
        const waits = daemon.events.filter((e) => e.event === 'db:wait');
        expect(waits, daemon.text()).toHaveLength(1);
        expect(String(waits[0]?.msg)).toMatch(/node 01-r2 of cluster schemasync_test is not active/);
      } finally {
        expect(await daemon.stop('SIGTERM'), daemon.text()).toBe(0);
        await pg.drop();
      }
      expect((await status(r2)).slice(-3)).toEqual(['9:applied', '10:applied', '11:applied']);
      expect(await sql(r2, 'EXISTS TABLE pages')).toBe('1');
    });

    it('ZooKeeper down: one clear error naming ZooKeeper, no retry loop', async () => {
      await cluster.zookeeper.stop();
      try {
        const started = Date.now();
        const run = await cli(r1, 'up');
        expect(run.code, run.output).not.toBe(0);
        const errors = run.events.filter((e) => e.level >= 50);
        expect(errors, run.output).toHaveLength(1);
        expect(String(errors[0]?.msg)).toMatch(/ClickHouse cannot use ZooKeeper, which cluster mode needs/);
        expect(Date.now() - started).toBeLessThan(15_000);
      } finally {
        await cluster.zookeeper.start();
      }
    });
  },
);
