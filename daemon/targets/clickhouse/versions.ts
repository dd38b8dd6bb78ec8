import { ConfigError } from '../../errors.ts';
import type { Logger } from '../../log/types.ts';
import type { VersionRow } from '../../migrations/types.ts';
import { sleep } from '../../util/sleep.ts';
import type { ApplyUnit } from '../target.ts';
import * as clusterSql from './cluster.ts';
import type { ClusterSession } from './cluster-session.ts';
import { ServerQueryError, type ClickHouseSession } from './connection.ts';
import * as sql from './queries.ts';
import { bookkeepingError } from './query-failure.ts';
import type { Revisions } from './revisions.ts';
import { rejectsMutationsSync } from './server-error.ts';

interface VersionListRow {
  version_id: string | number;
  is_applied: number;
  applied_at: string | number;
}

export interface VersionTableOptions {
  /** goose's table, validated (`sqlIdentifier`), optionally `database.table`. */
  table: string;
  /** For messages: the server, and the cluster in cluster mode. */
  where: string;
  /** Bound on waiting for a down's ALTER … DELETE mutation on servers without mutations_sync. */
  mutationTimeoutMs: number;
}

/**
 * goose's version table on ClickHouse: goose's own MergeTree table, whose down is a mutation
 * (ALTER … DELETE); in cluster mode a replicated table where a down is a tombstone row and the
 * newest row per version decides (cluster.ts).
 */
export class ClickHouseVersions {
  #ready = false;
  /** Learned on the first down: whether the server accepts `SETTINGS mutations_sync = 2`. */
  #mutationsSync: boolean | undefined;

  constructor(
    private readonly session: ClickHouseSession,
    private readonly cluster: ClusterSession | undefined,
    private readonly options: VersionTableOptions,
    private readonly revisions: Revisions,
    private readonly logger: Logger,
  ) {}

  get table(): string {
    return this.options.table;
  }

  /** Database and bare name of goose's table (`-table` may be `database.table`). */
  private get parts(): [string, string] {
    return this.table.includes('.') ? (this.table.split('.') as [string, string]) : [this.session.database, this.table];
  }

  async list(): Promise<VersionRow[]> {
    if (this.cluster) return this.#listCluster(this.cluster);
    try {
      await this.ensure();
      const rows = await this.session.rows<VersionListRow>(sql.listVersions(this.table));
      return rows.map((row) => ({
        version: Number(row.version_id),
        isApplied: Number(row.is_applied) === 1,
        appliedAt: new Date(Number(row.applied_at) * 1000),
      }));
    } catch (error) {
      throw bookkeepingError(error, `read goose's version table ${this.table}`);
    }
  }

  /** Cluster mode: the versions whose newest row is an applied row, read with sequential consistency. */
  async #listCluster(cluster: ClusterSession): Promise<VersionRow[]> {
    try {
      await this.ensure();
      const rows = await cluster.rows<{ version_id: string | number; applied_at: string | number }>(clusterSql.listAppliedVersions(this.table));
      const [top] = await cluster.rows<{ revision: string | number }>(clusterSql.maxRevision(this.table));
      this.revisions.observe(Number(top?.revision ?? 0));
      return rows.map((row) => ({ version: Number(row.version_id), isApplied: true, appliedAt: new Date(Number(row.applied_at) * 1000) }));
    } catch (error) {
      throw bookkeepingError(error, `read the version table ${this.table} of cluster ${cluster.cluster}`);
    }
  }

  /** Creates goose's table with its version-0 row when missing, like every goose CLI command. */
  async ensure(): Promise<void> {
    if (this.#ready) return;
    if (this.cluster) {
      await this.#ensureCluster(this.cluster);
    } else {
      const [exists] = await this.session.rows<{ result: number }>(sql.versionTableExists(this.table));
      if (Number(exists?.result) !== 1) {
        await this.session.command(sql.createVersionTable(this.table));
        await this.session.command(sql.insertVersion(this.table, 0));
        this.logger.debug({ table: this.table }, `created goose's version table ${this.table}`);
      }
    }
    this.#ready = true;
  }

  /** Cluster mode: the replicated table ON CLUSTER with its version-0 row; refuses a plain goose table. */
  async #ensureCluster(cluster: ClusterSession): Promise<void> {
    const [database, bare] = this.parts;
    const [exists] = await cluster.rows<{ result: number }>(sql.versionTableExists(this.table));
    if (Number(exists?.result) !== 1) {
      await cluster.command(clusterSql.createVersionTable(this.table, cluster.cluster, database));
      await cluster.command(clusterSql.insertVersionRow(this.table, 0, true, this.revisions.next()));
      this.logger.debug({ table: this.table }, `created the replicated version table ${this.table} on cluster ${cluster.cluster}`);
    }
    const [engine] = await cluster.rows<{ engine: string }>(clusterSql.tableEngine(database, bare));
    if (!engine?.engine.startsWith('Replicated')) {
      throw new ConfigError([
        `${this.table} on ${this.options.where} is a ${engine?.engine ?? 'missing'} table, not the replicated table cluster mode keeps (goose's single-server table?); rename it, or run without --clickhouse-cluster`,
      ]);
    }
  }

  /** Records the unit: a row on up; on down a mutation (goose) or, in cluster mode, a tombstone row. Throws the raw failure. */
  async record({ file, direction }: ApplyUnit): Promise<void> {
    if (this.cluster) await this.cluster.command(clusterSql.insertVersionRow(this.table, file.version, direction === 'up', this.revisions.next()));
    else if (direction === 'up') await this.session.command(sql.insertVersion(this.table, file.version));
    else await this.#delete(file.version);
  }

  /**
   * Deletes a version's rows so that a later read can never see them again (otherwise the
   * same down could run twice): goose's `mutations_sync = 2` where the server has it, else a
   * plain mutation followed by waiting for system.mutations to report it done.
   */
  async #delete(version: number): Promise<void> {
    if (this.#mutationsSync !== false) {
      try {
        await this.session.command(sql.deleteVersionSync(this.table, version));
        this.#mutationsSync = true;
        return;
      } catch (error) {
        if (!(error instanceof ServerQueryError) || !rejectsMutationsSync(error.server)) throw error;
        this.#mutationsSync = false;
        this.logger.debug({ code: error.server.code }, 'server rejects mutations_sync; deleting with a plain mutation and waiting for it');
      }
    }
    await this.session.command(sql.deleteVersionAsync(this.table, version));
    await this.#waitForMutations();
  }

  async #waitForMutations(): Promise<void> {
    const [database, table] = this.parts;
    const { mutationTimeoutMs } = this.options;
    const deadline = Date.now() + mutationTimeoutMs;
    for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
      const pending = await this.session.rows<{ mutation_id: string; command: string }>(sql.pendingMutations(database, table));
      if (pending.length === 0) return;
      if (Date.now() >= deadline) {
        throw new Error(
          `the mutation ${pending[0]?.mutation_id} (${pending[0]?.command}) on ${database}.${table} was still not done after ${mutationTimeoutMs / 1000} s; the version row may reappear in reads until it finishes (see system.mutations)`,
        );
      }
      await sleep(delay);
    }
  }
}
