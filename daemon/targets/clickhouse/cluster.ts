/**
 * Cluster mode's bookkeeping SQL, pure. goose's ClickHouse table is a plain MergeTree on one
 * node and a down is an ALTER … DELETE mutation there; on a replicated cluster that leaves each
 * replica with its own answer. In cluster mode every bookkeeping table (version table, ledger,
 * lock) is instead:
 *
 * - created `ON CLUSTER`, as one ReplicatedReplacingMergeTree whose replicas are *every* node of
 *   the cluster (ZooKeeper path without `{shard}`, replica name `{shard}-{replica}`), so a
 *   runner connected to any node, of any shard, reads the same state;
 * - written only by INSERT: an up is an applied row, a down a tombstone row (`is_applied = 0`);
 *   the newest row per key wins (`argMax(…, revision)`), so no mutation and no merge is needed
 *   (18.16 has no mutations_sync, and never merges the newest part written with a quorum);
 * - written with `insert_quorum` = every node, as an HTTP URL parameter (18.16 refuses it in
 *   `INSERT … SETTINGS`), so a write that returns is on every replica;
 * - read with `select_sequential_consistency = 1`, so a replica that lacks a quorum write
 *   refuses to answer instead of reporting an older state.
 */
import type { QuerySettings } from './connection.ts';
import { sqlIdentifier, sqlInteger, sqlString } from './queries.ts';

export interface ClusterOptions {
  /** The cluster's name in `remote_servers`. */
  name: string;
}

/** Where the replicated bookkeeping tables live in ZooKeeper. */
export const ZOOKEEPER_ROOT = '/clickhouse/schemasync';

/** Bookkeeping DDL waits this long for every node unless the URL sets distributed_ddl_task_timeout. */
export const DEFAULT_DDL_TIMEOUT_SECONDS = 30;
/** A quorum write gives up after this long unless the URL sets insert_quorum_timeout (server default: 600 s). */
export const DEFAULT_QUORUM_TIMEOUT_MS = 15_000;

/** `ON CLUSTER name` (the name validated like an identifier). */
export function onCluster(cluster: string): string {
  return `ON CLUSTER ${sqlIdentifier(cluster)}`;
}

/** The engine of a bookkeeping table: one replica per node of the cluster, newest `revision` wins. */
export function replicatedEngine(database: string, table: string): string {
  const path = `${ZOOKEEPER_ROOT}/${sqlIdentifier(database)}/${sqlIdentifier(table)}`;
  return `ReplicatedReplacingMergeTree('${path}', '{shard}-{replica}', revision)`;
}

/** Turns a single-server `CREATE TABLE IF NOT EXISTS name ( … ) ENGINE = … ORDER BY k` into its cluster form. */
export function clusterCreate(create: string, cluster: string, database: string, table: string): string {
  const match = /^CREATE TABLE IF NOT EXISTS (\S+) (\([\s\S]*\)) ENGINE = \S+\([^)]*\) (ORDER BY [\s\S]+)$/.exec(create);
  if (!match) throw new Error(`cannot turn into its cluster form: ${create}`);
  return `CREATE TABLE IF NOT EXISTS ${match[1]} ${onCluster(cluster)} ${match[2]} ENGINE = ${replicatedEngine(database, table)} ${match[3]}`;
}

/** goose's columns plus `revision`; keyed by version so rows of one version collapse. */
export function createVersionTable(table: string, cluster: string, database: string): string {
  return `CREATE TABLE IF NOT EXISTS ${sqlIdentifier(table)} ${onCluster(cluster)} ( version_id Int64, is_applied UInt8, date Date default now(), tstamp DateTime default now(), revision UInt64 ) ENGINE = ${replicatedEngine(database, bareName(table))} ORDER BY (version_id)`;
}

/** An applied row (up) or a tombstone (down). */
export function insertVersionRow(table: string, version: number, applied: boolean, revision: number): string {
  return `INSERT INTO ${sqlIdentifier(table)} (version_id, is_applied, revision) VALUES (${sqlInteger(version)}, ${applied ? 1 : 0}, ${sqlInteger(revision)})`;
}

/** The versions whose newest row is an applied row, newest version first (goose's list order). */
export function listAppliedVersions(table: string): string {
  return `SELECT version_id, toUnixTimestamp(last_tstamp) AS applied_at, last_revision FROM ( SELECT version_id, argMax(is_applied, revision) AS last_applied, argMax(tstamp, revision) AS last_tstamp, max(revision) AS last_revision FROM ${sqlIdentifier(table)} GROUP BY version_id ) WHERE last_applied = 1 ORDER BY version_id DESC`;
}

/** The highest revision in the table (tombstones included), so the next write sorts after it. */
export function maxRevision(table: string): string {
  return `SELECT max(revision) AS revision FROM ${sqlIdentifier(table)}`;
}

/** The engine of `table` on the node answering, to refuse a plain goose table left from single-server use. */
export function tableEngine(database: string, table: string): string {
  return `SELECT engine FROM system.tables WHERE database = '${sqlIdentifier(database)}' AND name = '${sqlIdentifier(table)}'`;
}

/** How many nodes the cluster has: the quorum that puts a row on every one of them. */
export function countNodes(cluster: string): string {
  return `SELECT count() AS nodes FROM system.clusters WHERE cluster = '${sqlIdentifier(cluster)}'`;
}

/** Whether the node can talk to ZooKeeper (fails at once when it cannot). */
export const ZOOKEEPER_PROBE = "SELECT count() AS children FROM system.zookeeper WHERE path = '/'";

/**
 * `hasParallelQuorum`: the server knows `insert_quorum_parallel` (current servers, where it is on
 * by default and select_sequential_consistency then does not hold); 18.16 does not know it and
 * would refuse the query, but its quorum writes are always sequential.
 */
export function writeSettings(quorum: number, fromUrl: QuerySettings, hasParallelQuorum = false): QuerySettings {
  const settings: QuerySettings = { insert_quorum: quorum, insert_quorum_timeout: fromUrl.insert_quorum_timeout ?? DEFAULT_QUORUM_TIMEOUT_MS };
  if (hasParallelQuorum) settings.insert_quorum_parallel = 0;
  return settings;
}

/** 1 when the server has the insert_quorum_parallel setting. */
export const HAS_PARALLEL_QUORUM = "SELECT count() AS n FROM system.settings WHERE name = 'insert_quorum_parallel'";

export const READ_SETTINGS: QuerySettings = { select_sequential_consistency: 1 };

export function ddlSettings(fromUrl: QuerySettings): QuerySettings {
  return { distributed_ddl_task_timeout: fromUrl.distributed_ddl_task_timeout ?? DEFAULT_DDL_TIMEOUT_SECONDS };
}

function bareName(table: string): string {
  return table.includes('.') ? table.slice(table.indexOf('.') + 1) : table;
}

/** One ZooKeeper node's value: rows `{ value }`. */
export function zookeeperNode(parent: string, name: string): string {
  return `SELECT value FROM system.zookeeper WHERE path = ${sqlString(parent)} AND name = ${sqlString(name)}`;
}

/** A ZooKeeper node's children: rows `{ name }`. */
export function zookeeperChildren(path: string): string {
  return `SELECT name FROM system.zookeeper WHERE path = ${sqlString(path)}`;
}

/** One row `{ n }`: 1 when `path` has a child `name`. */
export function zookeeperNodeCount(path: string, name: string): string {
  return `SELECT count() AS n FROM system.zookeeper WHERE path = ${sqlString(path)} AND name = ${sqlString(name)}`;
}

/** One row per replicated table: `{ zookeeper_path, total_replicas, active_replicas }`. */
export function replicaCounts(database: string, table: string): string {
  return `SELECT zookeeper_path, total_replicas, active_replicas FROM system.replicas WHERE database = ${sqlString(database)} AND table = ${sqlString(table)}`;
}
