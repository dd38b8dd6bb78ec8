/**
 * The migrations' own DDL on a cluster: warnings about statements that would run on one node
 * only, the `create` template that has what they ask for, and what a distributed DDL timeout
 * left behind. All pure except `ddlTimeoutNote`, which reads ZooKeeper through the server.
 */
import type { Statement } from '../../migrations/types.ts';
import type { ClickHouseSession } from './connection.ts';
import { zookeeperChildren, zookeeperNode } from './cluster.ts';
import { sqlIdentifier } from './queries.ts';

export interface DdlWarning {
  line: number;
  message: string;
}

/** Statements that change schema and, without ON CLUSTER, do so on the connected node only. */
const SCHEMA_CHANGE =
  /^\s*(CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMPORARY\s+)?(?:MATERIALIZED\s+VIEW|VIEW|TABLE|DATABASE|DICTIONARY)|ALTER\s+TABLE|DROP\s+(?:TABLE|VIEW|DATABASE|DICTIONARY)|RENAME\s+TABLE|TRUNCATE(?:\s+TABLE)?)\b/i;
const ON_CLUSTER = /\bON\s+CLUSTER\b/i;
/** A MergeTree-family engine that is not replicated. */
const PLAIN_MERGE_TREE = /\bENGINE\s*=\s*((?!Replicated)[A-Za-z]*MergeTree)\b/i;
const TEMPORARY = /^\s*CREATE\s+TEMPORARY\b/i;

/** Warnings (line, sentence) for one section's statements, in cluster mode. */
export function clusterDdlWarnings(statements: Statement[], cluster: string): DdlWarning[] {
  const warnings: DdlWarning[] = [];
  for (const statement of statements) {
    const sql = stripComments(statement.sql);
    const line = statement.lines[0] ?? 1;
    const change = SCHEMA_CHANGE.exec(sql);
    if (change && !TEMPORARY.test(sql) && !ON_CLUSTER.test(sql)) {
      const what = change[1]!.replace(/\s+/g, ' ').toUpperCase();
      warnings.push({ line, message: `${what} without ON CLUSTER runs on the connected node only; write ON CLUSTER ${cluster}` });
    }
    const engine = PLAIN_MERGE_TREE.exec(sql);
    if (engine) {
      const name = engine[1]!;
      warnings.push({
        line,
        message: `${name} is not replicated: the other replicas get the table but never its rows; use Replicated${name}('/clickhouse/tables/{shard}/<database>/<table>', '{replica}')`,
      });
    }
  }
  return warnings;
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ');
}

/** `schemasync create --target clickhouse` in cluster mode: goose's template with a cluster-ready example. */
export function clusterMigrationTemplate(cluster: string): string {
  const on = `ON CLUSTER ${sqlIdentifier(cluster)}`;
  return `-- +goose Up
-- Cluster ${cluster}: every CREATE / ALTER / DROP needs ${on}, tables a Replicated engine
-- (its ZooKeeper path unique per table), and IF [NOT] EXISTS lets a file that stopped halfway
-- (ClickHouse has no transactions) run again. For example:
-- CREATE TABLE IF NOT EXISTS example ${on} (id UInt64, at DateTime)
--     ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/example', '{replica}')
--     ORDER BY id;
SELECT 'up SQL query';

-- +goose Down
-- DROP TABLE IF EXISTS example ${on};
SELECT 'down SQL query';
`;
}

/**
 * The DDL task of a timeout message: 18.16 says "Watching task /clickhouse/task_queue/ddl/query-0000000002
 * is executing longer than distributed_ddl_task_timeout…", current servers "Distributed DDL task
 * /clickhouse/task_queue/ddl/query-0000000002 is not finished on 1 of 2 hosts…".
 */
export function ddlTimeoutTask(message: string): string | undefined {
  if (!/distributed_ddl_task_timeout/.test(message)) return undefined;
  return /(\/\S*\/query-\d+)/.exec(message)?.[1];
}

/** Hosts (`host:port`) of a DDL task node's value: `hosts: ['127%2E0%2E0%2E1:9000',…]`. */
export function ddlTaskHosts(value: string): string[] {
  const list = /hosts: \[([^\]]*)\]/.exec(value)?.[1] ?? '';
  return [...list.matchAll(/'([^']*)'/g)].map((m) => decodeHost(m[1]!));
}

export function decodeHost(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * After a distributed DDL timeout: which nodes ran the statement and which did not (they run it
 * from ZooKeeper's queue when they are back). Never throws: the timeout is reported regardless.
 */
export async function ddlTimeoutNote(session: ClickHouseSession, serverMessage: string): Promise<string> {
  const task = ddlTimeoutTask(serverMessage);
  if (!task) return '';
  try {
    const parent = task.slice(0, task.lastIndexOf('/'));
    const name = task.slice(task.lastIndexOf('/') + 1);
    const [node] = await session.rows<{ value: string }>(zookeeperNode(parent, name));
    const finished = (await session.rows<{ name: string }>(zookeeperChildren(`${task}/finished`))).map((row) => decodeHost(row.name));
    const hosts = ddlTaskHosts(node?.value ?? '');
    const missing = hosts.filter((host) => !finished.includes(host));
    if (missing.length === 0) return '';
    const ran = finished.length > 0 ? `it ran on ${finished.join(', ')}; ` : '';
    return ` The statement did not finish on ${missing.join(', ')} (${ran}ClickHouse keeps it queued in ${task} and that replica runs it when it is back).`;
  } catch {
    return '';
  }
}
