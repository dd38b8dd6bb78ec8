import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../../../daemon/config/load.ts';
import { parseMigration } from '../../../../daemon/migrations/parse.ts';
import { clusterCreate, createVersionTable, listAppliedVersions, writeSettings } from '../../../../daemon/targets/clickhouse/cluster.ts';
import { clusterDdlWarnings, clusterMigrationTemplate, ddlTaskHosts, ddlTimeoutTask } from '../../../../daemon/targets/clickhouse/cluster-ddl.ts';
import { isQuorumError, isZooKeeperError } from '../../../../daemon/targets/clickhouse/cluster-session.ts';
import { createLedger, createLockTable } from '../../../../daemon/targets/clickhouse/queries.ts';

const warningsOf = (text: string, direction: 'up' | 'down' = 'up') =>
  clusterDdlWarnings(parseMigration(text, direction, { file: 'm.sql', env: {} }).statements, 'main').map((w) => `${w.line}: ${w.message}`);

describe('cluster bookkeeping SQL', () => {
  it('replicates every table to every node: no {shard} in the path, {shard}-{replica} as the replica name, ON CLUSTER', () => {
    expect(createVersionTable('goose_db_version', 'main', 'app')).toBe(
      "CREATE TABLE IF NOT EXISTS goose_db_version ON CLUSTER main ( version_id Int64, is_applied UInt8, date Date default now(), tstamp DateTime default now(), revision UInt64 ) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/schemasync/app/goose_db_version', '{shard}-{replica}', revision) ORDER BY (version_id)",
    );
    expect(clusterCreate(createLedger(), 'main', 'app', 'schemasync_migrations')).toMatch(
      /^CREATE TABLE IF NOT EXISTS schemasync_migrations ON CLUSTER main \( version Int64, .* \) ENGINE = ReplicatedReplacingMergeTree\('\/clickhouse\/schemasync\/app\/schemasync_migrations', '\{shard\}-\{replica\}', revision\) ORDER BY version$/,
    );
    expect(clusterCreate(createLockTable(), 'main', 'app', 'schemasync_lock')).toMatch(/ON CLUSTER main .* ORDER BY owner$/);
  });

  it('reads the newest row per version (argMax by revision) and keeps only applied ones', () => {
    expect(listAppliedVersions('goose_db_version')).toMatch(
      /argMax\(is_applied, revision\) AS last_applied,.* WHERE last_applied = 1 ORDER BY version_id DESC$/,
    );
  });

  it('writes with a quorum of every node and a bounded quorum timeout, unless the URL sets one', () => {
    expect(writeSettings(3, {})).toEqual({ insert_quorum: 3, insert_quorum_timeout: 15_000 });
    expect(writeSettings(2, { insert_quorum_timeout: '3000' })).toEqual({ insert_quorum: 2, insert_quorum_timeout: '3000' });
    // Current servers: quorum writes made sequential, or select_sequential_consistency does not hold.
    expect(writeSettings(2, {}, true)).toEqual({ insert_quorum: 2, insert_quorum_timeout: 15_000, insert_quorum_parallel: 0 });
  });

  it('refuses cluster names it cannot paste into SQL', () => {
    expect(() => createVersionTable('goose_db_version', "main'; DROP", 'app')).toThrow(/not a plain ClickHouse table name/);
  });
});

describe('cluster DDL warnings', () => {
  it('flags CREATE / ALTER / DROP without ON CLUSTER and non-replicated MergeTree engines, with the line', () => {
    const text = `-- +goose Up
CREATE TABLE t (id UInt64)
  ENGINE = ReplacingMergeTree() ORDER BY id;
ALTER TABLE t ON CLUSTER main ADD COLUMN x UInt8;
ALTER TABLE t ADD COLUMN y UInt8;
CREATE TABLE r ON CLUSTER main (id UInt64) ENGINE = ReplicatedMergeTree('/p/r', '{replica}') ORDER BY id;
INSERT INTO t VALUES (1);
-- +goose Down
DROP TABLE t;
`;
    expect(warningsOf(text)).toEqual([
      '2: CREATE TABLE without ON CLUSTER runs on the connected node only; write ON CLUSTER main',
      "2: ReplacingMergeTree is not replicated: the other replicas get the table but never its rows; use ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/<database>/<table>', '{replica}')",
      '5: ALTER TABLE without ON CLUSTER runs on the connected node only; write ON CLUSTER main',
    ]);
    expect(warningsOf(text, 'down')).toEqual(['9: DROP TABLE without ON CLUSTER runs on the connected node only; write ON CLUSTER main']);
  });

  it('ignores comments and temporary tables', () => {
    expect(
      warningsOf(`-- +goose Up\n-- CREATE TABLE x (id UInt8) ENGINE = MergeTree ORDER BY id;\nSELECT 1;\nCREATE TEMPORARY TABLE tmp (id UInt8);\n`),
    ).toEqual([]);
  });

  it("create's cluster template has ON CLUSTER and a Replicated engine, and warns about nothing", () => {
    const template = clusterMigrationTemplate('main');
    expect(template).toMatch(/ON CLUSTER main/);
    expect(template).toMatch(/ReplicatedMergeTree\('\/clickhouse\/tables\/\{shard\}\/example', '\{replica\}'\)/);
    const uncommented = template.replace(/^-- (?!\+goose)( {4})?/gm, '');
    expect(warningsOf(uncommented)).toEqual([]);
    expect(warningsOf(uncommented, 'down')).toEqual([]);
  });
});

describe('reading cluster failures', () => {
  it('finds the DDL task and its hosts', () => {
    const message =
      'Watching task /clickhouse/task_queue/ddl/query-0000000002 is executing longer than distributed_ddl_task_timeout (=3) seconds. There are 1 unfinished hosts (0 of them are currently active), they are going to execute the query in background';
    expect(ddlTimeoutTask(message)).toBe('/clickhouse/task_queue/ddl/query-0000000002');
    expect(
      ddlTimeoutTask(
        'Distributed DDL task /clickhouse/task_queue/ddl/query-0000000007 is not finished on 1 of 2 hosts (0 of them are currently executing the task, 1 are inactive). They are going to execute the query in background. Was waiting for 3.2 seconds, which is longer than distributed_ddl_task_timeout. (TIMEOUT_EXCEEDED)',
      ),
    ).toBe('/clickhouse/task_queue/ddl/query-0000000007');
    expect(ddlTimeoutTask("Table db.x doesn't exist.")).toBeUndefined();
    expect(ddlTaskHosts("version: 1\nquery: CREATE …\nhosts: ['127%2E0%2E0%2E1:45913','127%2E0%2E0%2E1:37417']\ninitiator: vm:45913\n")).toEqual([
      '127.0.0.1:45913',
      '127.0.0.1:37417',
    ]);
  });

  it('tells quorum failures and ZooKeeper failures apart from the rest', () => {
    expect(isQuorumError({ code: '285', message: 'Number of alive replicas (1) is less than requested quorum (2).' })).toBe(true);
    expect(isQuorumError({ code: '319', message: 'Timeout while waiting for quorum' })).toBe(true);
    expect(isZooKeeperError({ code: '999', message: 'Coordination::Exception: Session expired (Session expired)' })).toBe(true);
    expect(isZooKeeperError({ code: '225', message: 'ZooKeeper session has been expired.' })).toBe(true);
    expect(isQuorumError({ code: '60', message: "Table db.x doesn't exist." })).toBe(false);
    expect(isZooKeeperError({ code: '60', message: "Table db.x doesn't exist." })).toBe(false);
  });
});

describe('cluster configuration', () => {
  const load = (env: Record<string, string>, flags = {}) => loadConfig({ cwd: '/tmp', env, flags }).config.clickhouse.cluster;
  it('is off by default, on with CLICKHOUSE_CLUSTER or --clickhouse-cluster (the flag wins)', () => {
    expect(load({})).toBeUndefined();
    expect(load({ CLICKHOUSE_CLUSTER: 'main' })).toBe('main');
    expect(load({ CLICKHOUSE_CLUSTER: 'main' }, { clickhouseCluster: 'other' })).toBe('other');
    expect(() => load({ CLICKHOUSE_CLUSTER: 'bad name' })).toThrow(/CLICKHOUSE_CLUSTER must be a cluster name/);
  });
});
