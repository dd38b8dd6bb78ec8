/**
 * The session cluster mode's bookkeeping (version table, ledger, lock) goes through: the same
 * connection, with every INSERT sent with `insert_quorum` = every node of the cluster, every
 * SELECT with `select_sequential_consistency = 1`, and every CREATE with a bounded
 * `distributed_ddl_task_timeout` (all as URL parameters, the form 18.16 accepts). Failures that
 * mean "a replica or ZooKeeper is missing" become ConnectionErrors whose message says so.
 * Migration statements never go through here: they run as written.
 */
import { ConnectionError } from '../../errors.ts';
import { countNodes, ddlSettings, HAS_PARALLEL_QUORUM, READ_SETTINGS, replicaCounts, writeSettings, zookeeperChildren, zookeeperNodeCount } from './cluster.ts';
import { ServerQueryError, type ClickHouseSession, type QuerySettings } from './connection.ts';
import type { ServerError } from './server-error.ts';

/** TOO_FEW_LIVE_REPLICAS, UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE, REPLICA_IS_NOT_IN_QUORUM, UNKNOWN_STATUS_OF_INSERT. */
const QUORUM_CODES = new Set(['285', '286', '289', '319']);
/** NO_ZOOKEEPER, TABLE_IS_READ_ONLY (a replicated table without its ZooKeeper session), KEEPER_EXCEPTION. */
const ZOOKEEPER_CODES = new Set(['225', '242', '999']);

export function isQuorumError(error: ServerError): boolean {
  return (error.code !== undefined && QUORUM_CODES.has(error.code)) || /quorum/i.test(error.message);
}

export function isZooKeeperError(error: ServerError): boolean {
  return (error.code !== undefined && ZOOKEEPER_CODES.has(error.code)) || /ZooKeeper|Coordination::Exception/.test(error.message);
}

/** "the quorum write's fate is unknown": the row may still appear once the missing replica catches up. */
export function quorumOutcomeUnknown(error: ServerError): boolean {
  return error.code === '319' || /Timeout while waiting for quorum/i.test(error.message);
}

export interface ClusterSession extends ClickHouseSession {
  readonly cluster: string;
  /** The quorum every bookkeeping write uses: the number of nodes in the cluster. */
  quorum(signal?: AbortSignal): Promise<number>;
  /** An INSERT without quorum: lands on this node now, on the others when they are back. */
  insertLocally(sql: string): Promise<void>;
  /**
   * Replicas of `table` (a bookkeeping table of `database`) without a ZooKeeper session, by
   * replica name (`{shard}-{replica}`); [] when all are active or the table does not exist yet.
   */
  inactiveNodes(database: string, table: string, signal?: AbortSignal): Promise<string[]>;
}

export function clusterSession(session: ClickHouseSession, cluster: string): ClusterSession {
  let nodes: Promise<{ count: number; parallel: boolean }> | undefined;
  const describe = (signal?: AbortSignal) =>
    (nodes ??= (async () => {
      const [row] = await session.rows<{ nodes: string | number }>(countNodes(cluster), signal);
      const count = Number(row?.nodes ?? 0);
      if (count === 0) {
        throw new ConnectionError(
          session.where,
          `the cluster ${cluster} is not in this server's remote_servers (system.clusters); check --clickhouse-cluster / CLICKHOUSE_CLUSTER`,
        );
      }
      const [parallel] = await session.rows<{ n: string | number }>(HAS_PARALLEL_QUORUM, signal);
      return { count, parallel: Number(parallel?.n) > 0 };
    })().catch((error: unknown) => {
      nodes = undefined;
      throw error;
    }));
  const quorum = async (signal?: AbortSignal) => (await describe(signal)).count;

  const translate = (error: unknown, count?: number) => clusterError(session.where, cluster, error, count);

  const settingsFor = async (sql: string, signal?: AbortSignal): Promise<QuerySettings> => {
    if (/^\s*INSERT\b/i.test(sql)) {
      const { count, parallel } = await describe(signal);
      return writeSettings(count, session.settings, parallel);
    }
    if (/^\s*(CREATE|DROP|ALTER)\b/i.test(sql)) return ddlSettings(session.settings);
    return {};
  };

  const rows = async <Row>(sql: string, signal?: AbortSignal): Promise<Row[]> => {
    // A replica that just came back may lack the newest quorum part for a moment (code 289):
    // it fetches it within a second or so, so that answer is retried briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        return await session.rows<Row>(sql, signal, READ_SETTINGS);
      } catch (error) {
        if (error instanceof ServerQueryError && error.server.code === '289' && attempt < 20) {
          await new Promise((resolve) => setTimeout(resolve, 100 + attempt * 50));
          continue;
        }
        if (error instanceof ServerQueryError && error.server.code === '289') {
          throw new ConnectionError(
            session.where,
            `this replica has not caught up with the quorum writes of cluster ${cluster} (${error.server.message}); it answers once it has fetched them`,
            { cause: error },
          );
        }
        throw translate(error);
      }
    }
  };

  return {
    ...session,
    cluster,
    quorum,
    async insertLocally(sql) {
      try {
        await session.command(sql);
      } catch (error) {
        throw translate(error);
      }
    },
    async command(sql, signal) {
      // Created once, with every node up: later runs must not need every node for a no-op DDL.
      const created = /^\s*CREATE TABLE IF NOT EXISTS (\S+) ON CLUSTER\b/i.exec(sql)?.[1];
      if (created) {
        const [exists] = await rows<{ result: string | number }>(`EXISTS TABLE ${created}`, signal);
        if (Number(exists?.result) === 1) return;
      }
      const settings = await settingsFor(sql, signal);
      // 18.16 allows one unsatisfied quorum write per table: a concurrent runner's write may
      // still be in flight (code 286), so that one answer is retried briefly.
      for (let attempt = 0; ; attempt++) {
        try {
          return await session.command(sql, signal, settings);
        } catch (error) {
          if (error instanceof ServerQueryError && error.server.code === '286' && attempt < 20) {
            await new Promise((resolve) => setTimeout(resolve, 50 + attempt * 25));
            continue;
          }
          throw translate(error, Number(settings.insert_quorum));
        }
      }
    },
    rows,
    async inactiveNodes(database, table, signal) {
      const [replicas] = await rows<{ zookeeper_path: string; total_replicas: number; active_replicas: number }>(replicaCounts(database, table), signal);
      if (!replicas || Number(replicas.active_replicas) >= Number(replicas.total_replicas)) return [];
      const path = `${replicas.zookeeper_path}/replicas`;
      const all = await rows<{ name: string }>(zookeeperChildren(path), signal);
      const down: string[] = [];
      for (const { name } of all) {
        const [active] = await rows<{ n: string | number }>(zookeeperNodeCount(`${path}/${name}`, 'is_active'), signal);
        if (Number(active?.n) === 0) down.push(name);
      }
      return down;
    },
  };
}

/** A server error of cluster mode as what the user can act on: ZooKeeper down, a replica down, a quorum not reached. */
function clusterError(where: string, cluster: string, error: unknown, count?: number): unknown {
  if (!(error instanceof ServerQueryError)) return error;
  if (isZooKeeperError(error.server)) {
    return new ConnectionError(
      where,
      `ClickHouse cannot use ZooKeeper, which cluster mode needs for its replicated tables (${shortMessage(error.server)}); start ZooKeeper (or ClickHouse Keeper) and run again`,
      { cause: error },
    );
  }
  if (error.server.code === '159') {
    return new ConnectionError(
      where,
      `creating schemasync's replicated table did not finish on every node of cluster ${cluster} in time (${error.server.message}); is a replica down? The tables are created once, with every node up`,
      { cause: error },
    );
  }
  if (isQuorumError(error.server)) {
    const unknown = quorumOutcomeUnknown(error.server) ? '; the row may still appear once that replica catches up' : '';
    return new ConnectionError(
      where,
      `a write to ${firstWord(error.sql)} could not reach the quorum of every node of cluster ${cluster} (insert_quorum=${count ?? '?'}): ${error.server.message} Is a replica down?${unknown}`,
      { cause: error },
    );
  }
  return error;
}

/** The first line, without 18.16's `, e.what() = …` tail (its ZooKeeper errors list every retry). */
function shortMessage(error: ServerError): string {
  return (error.message.split('\n', 1)[0] ?? '').replace(/,? ?e\.what\(\) = .*$/, '').trim();
}

function firstWord(sql: string): string {
  return /^\s*INSERT INTO (\S+)/i.exec(sql)?.[1] ?? 'a bookkeeping table';
}
