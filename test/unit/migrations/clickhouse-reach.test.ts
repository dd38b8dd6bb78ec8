import { describe, expect, it } from 'vitest';

import { clickhouseReach } from '../../../daemon/migrations/clickhouse-reach.ts';

const scope = { database: 'shadow_db', databases: ['shadow_db', 'app', 'other_db', 'default', 'system', 'Events'] };
const reach = (sql: string) => clickhouseReach(sql, scope).map((found) => found.what);

describe('clickhouseReach: what a statement names outside the shadow database', () => {
  it.each([
    // Names that stay in the shadow database.
    { sql: 'CREATE TABLE events (id UInt64) ENGINE = MergeTree ORDER BY id', found: [] },
    { sql: 'CREATE TABLE IF NOT EXISTS shadow_db.events (id UInt64) ENGINE = MergeTree ORDER BY id', found: [] },
    { sql: 'INSERT INTO `shadow_db`.`events` SELECT e.id FROM shadow_db.events AS e', found: [] },
    { sql: 'ALTER TABLE trace_summaries ADD COLUMN `Events.Timestamp` Array(DateTime64(3))', found: [] },
    { sql: 'SELECT t.1, e.id, tuple.col FROM events e', found: [] },
    { sql: 'SELECT number FROM system.numbers LIMIT 10', found: [] },
    { sql: "INSERT INTO events VALUES (1, 'app.events', 'other_db')", found: [] },
    { sql: '-- INSERT INTO other_db.t VALUES (1)\nSELECT 1 /* app.t */', found: [] },
    { sql: "SELECT 1 # app.t\n", found: [] },
    { sql: 'CREATE TABLE b AS events ENGINE = Buffer(shadow_db, events, 16, 10, 100, 10000, 1000000, 10000000, 100000000)', found: [] },
    { sql: "CREATE TABLE m ENGINE = Merge(currentDatabase(), '^events')", found: [] },
    { sql: "CREATE TABLE r (id UInt64) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/r', '{replica}') ORDER BY id", found: [] },
    { sql: 'CREATE TABLE r (id UInt64) ENGINE = ReplicatedMergeTree ORDER BY id', found: [] },
    { sql: 'CREATE TABLE f (id UInt64) ENGINE = File(TabSeparated)', found: [] },
    { sql: "CREATE DICTIONARY d (id UInt64, v String) PRIMARY KEY id SOURCE(CLICKHOUSE(TABLE 'src')) LAYOUT(FLAT()) LIFETIME(0)", found: [] },
    { sql: 'CREATE DATABASE IF NOT EXISTS shadow_db', found: [] },
    // Qualified names in any position.
    { sql: 'INSERT INTO other_db.t VALUES (1)', found: ['database other_db'] },
    { sql: 'CREATE TABLE IF NOT EXISTS app.events (id UInt64) ENGINE = MergeTree ORDER BY id', found: ['database app'] },
    { sql: 'INSERT INTO events SELECT * FROM `app`.`events_old`', found: ['database app'] },
    { sql: 'SELECT app.events.id FROM events', found: ['database app'] },
    { sql: 'TRUNCATE TABLE app.events', found: ['database app'] },
    { sql: 'EXCHANGE TABLES events_new AND app.events', found: ['database app'] },
    { sql: 'RENAME TABLE events TO other_db.events', found: ['database other_db'] },
    { sql: 'ALTER TABLE events ATTACH PARTITION 202401 FROM app.events', found: ['database app'] },
    { sql: 'ALTER TABLE events MOVE PARTITION 202401 TO TABLE other_db.events', found: ['database other_db'] },
    { sql: 'CREATE MATERIALIZED VIEW mv TO app.daily AS SELECT count() AS n FROM events', found: ['database app'] },
    { sql: 'CREATE TABLE copy AS default.events', found: ['database default'] },
    { sql: 'SELECT x FROM "other_db".t', found: ['database other_db'] },
    { sql: 'ALTER TABLE t ADD COLUMN Events.Timestamp Array(DateTime)', found: ['database Events'] },
    // Databases passed as arguments.
    { sql: "SELECT dictGet('app.users', 'name', toUInt64(1))", found: ['database app (in dictGet(…))'] },
    { sql: "CREATE TABLE m ENGINE = Merge(app, '^events')", found: ['database app (in Merge(…))'] },
    { sql: "SELECT * FROM merge('other_db', '^t')", found: ['database other_db (in merge(…))'] },
    { sql: 'CREATE TABLE b AS events ENGINE = Buffer(app, events, 16, 10, 100, 10000, 1000000, 10000000, 100000000)', found: ['database app (in Buffer(…))'] },
    // Table functions and engines that reach other servers, files, queues or ZooKeeper.
    { sql: "INSERT INTO events SELECT * FROM remote('127.0.0.1', app, events)", found: ['the table function remote(…)'] },
    { sql: "INSERT INTO FUNCTION s3('https://b/x.csv', 'CSV') SELECT * FROM events", found: ['the table function s3(…)'] },
    { sql: "SELECT * FROM url('http://x/y.csv', CSV, 'a String')", found: ['the table function url(…)'] },
    { sql: "SELECT * FROM file('x.csv')", found: ['the table function file(…)'] },
    { sql: "SELECT * FROM clusterAllReplicas('c', system.one)", found: ['the table function clusterAllReplicas(…)'] },
    { sql: "SELECT * FROM mysql('h:3306', 'db', 't', 'u', 'p')", found: ['the table function mysql(…)'] },
    { sql: "CREATE TABLE q (m String) ENGINE = Kafka SETTINGS kafka_broker_list = 'k:9092'", found: ['the Kafka engine (it reaches beyond this database)'] },
    { sql: "CREATE TABLE d AS events ENGINE = Distributed('c', currentDatabase(), events)", found: ['the Distributed engine (it reaches beyond this database)'] },
    { sql: "CREATE TABLE r (id UInt64) ENGINE = ReplicatedMergeTree('/clickhouse/tables/events', 'r1') ORDER BY id", found: ['the ReplicatedMergeTree engine (it reaches beyond this database)'] },
    { sql: "CREATE TABLE f (id UInt64) ENGINE = File(CSV, '/data/x.csv')", found: ['the File engine (it reaches beyond this database)'] },
    { sql: "CREATE TABLE p (id UInt64) ENGINE = PostgreSQL('h:5432', 'db', 't', 'u', 'p')", found: ['the PostgreSQL engine (it reaches beyond this database)'] },
    // Dictionary sources.
    { sql: "CREATE DICTIONARY d (id UInt64) PRIMARY KEY id SOURCE(CLICKHOUSE(DB 'app' TABLE 'users')) LAYOUT(FLAT()) LIFETIME(0)", found: ['database app (a dictionary source)'] },
    { sql: "CREATE DICTIONARY d (id UInt64) PRIMARY KEY id SOURCE(CLICKHOUSE(HOST 'ch2' PORT 9000 TABLE 'users')) LAYOUT(FLAT()) LIFETIME(0)", found: ['host ch2 (a dictionary source)'] },
    { sql: "CREATE DICTIONARY d (id UInt64) PRIMARY KEY id SOURCE(CLICKHOUSE(QUERY 'SELECT id FROM app.users')) LAYOUT(FLAT()) LIFETIME(0)", found: ["database app (in a dictionary source's QUERY)"] },
    { sql: "CREATE DICTIONARY d (id UInt64) PRIMARY KEY id SOURCE(MYSQL(HOST 'h' DB 'x' TABLE 't')) LAYOUT(FLAT()) LIFETIME(0)", found: ['the dictionary source MYSQL(…)'] },
    // Databases, the server, clusters.
    { sql: 'CREATE DATABASE analytics', found: ['database analytics'] },
    { sql: 'DROP DATABASE IF EXISTS other_db', found: ['database other_db'] },
    { sql: 'USE app', found: ['database app (USE)'] },
    { sql: 'CREATE FUNCTION linear AS (x, k, b) -> k * x + b', found: ['the server (a FUNCTION belongs to the whole server, not to a database)'] },
    { sql: 'DROP FUNCTION IF EXISTS linear', found: ['the server (a FUNCTION belongs to the whole server, not to a database)'] },
    { sql: "CREATE USER reader IDENTIFIED BY 'x'", found: ['the server (a USER belongs to the whole server, not to a database)'] },
    { sql: "KILL MUTATION WHERE database = 'app'", found: ['the server (KILL acts beyond this database)'] },
    { sql: 'SYSTEM STOP MERGES', found: ['the server (SYSTEM acts beyond this database)'] },
    { sql: 'CREATE TABLE t ON CLUSTER dev (id UInt64) ENGINE = MergeTree ORDER BY id', found: ['cluster dev (ON CLUSTER runs on every node)'] },
    { sql: "ALTER TABLE t FETCH PARTITION 1 FROM '/clickhouse/tables/t'", found: ['another replica (FETCH PARTITION)'] },
    { sql: "ATTACH TABLE t FROM '/var/lib/x' (id UInt64) ENGINE = MergeTree ORDER BY id", found: ["a file (ATTACH … FROM '/var/lib/x')"] },
  ])('$sql', ({ sql, found }) => {
    expect(reach(sql)).toEqual(found);
  });

  it('gives the offset of what it found, in text order', () => {
    const sql = "INSERT INTO other_db.t\nSELECT * FROM remote('h', x, y)";
    expect(clickhouseReach(sql, scope)).toEqual([
      { offset: 12, what: 'database other_db' },
      { offset: sql.indexOf('remote'), what: 'the table function remote(…)' },
    ]);
  });
});
