/**
 * The ClickHouse migration lock.
 *
 * ClickHouse has no advisory locks, no transactions and no compare-and-set, so schemasync keeps
 * its own lock table, `schemasync_lock`, in the target database, and runs Lamport's bakery
 * algorithm over it (it needs only reads and writes, no atomic test-and-set):
 *
 * 1. A runner claims with a "choosing" row, reads the live claims, then writes its ticket:
 *    one more than the highest ticket it saw.
 * 2. It enters when no other live claim is still choosing and none has a smaller
 *    (ticket, owner id) pair. Otherwise it keeps its ticket and polls; waiters are served in
 *    ticket order.
 * 3. Every claim is a lease (30 s by default, renewed every 10 s while waiting and while held).
 *    A runner that dies (SIGKILL, power loss) stops renewing; once its lease is past, its claim
 *    no longer counts and the next runner goes in. Release writes a "released" row.
 *
 * Rows are only ever inserted (ReplacingMergeTree keyed by owner, newest `revision` wins, read
 * with argMax, so no FINAL and no ALTER … DELETE mutation is needed; this works on 18.16).
 * Lease times are computed by the server's own clock (`now()`), never the runners' clocks.
 *
 * Limits, by design:
 * - Single-server mode: one server. On a cluster each replica has its own table; runners talking
 *   to different replicas do not see each other. Cluster mode (target.ts) gives this class a
 *   session whose writes use insert_quorum = every node and whose reads use
 *   select_sequential_consistency, over a table replicated to every node: a claim written is then
 *   on every replica before the write returns, and a read on any replica sees it or fails, which
 *   is all the bakery needs (it is correct even over "safe" registers). There, a claim cannot be
 *   written while any node is down (the lock fails at once, naming the quorum), and leases use the
 *   clock of whichever node the runner talks to, so clock skew between nodes shortens or lengthens
 *   a lease by that much.
 * - All runners must use the same database (the lock table lives beside goose's table).
 * - Lease expiry is the only recovery from a dead holder: a crashed runner blocks others for up
 *   to one lease (30 s).
 * - A holder that stalls longer than its lease (a paused process, a lost network for 30 s)
 *   loses the lock without knowing it, and a second runner may enter. Migration runs are short
 *   and renewals happen three times per lease, so this needs a long stall.
 * - Times have one-second resolution (DateTime), so leases are rounded to whole seconds.
 * - goose itself takes no lock on ClickHouse: this only keeps schemasync runners apart.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

import { CancelledError, hasErrorCode, LockError, messageOf } from '../../errors.ts';
import type { Logger } from '../../log/types.ts';
import { sleep } from '../../util/sleep.ts';
import type { ClickHouseSession } from './connection.ts';
import { decideLock, describeClaim, type LockClaim } from './lock-claims.ts';
import { createLockTable, insertClaim, LOCK_TABLE, selectLiveClaims } from './queries.ts';

export interface ClickHouseLockOptions {
  /** How long a claim stays valid without renewal. */
  leaseSeconds?: number;
  /** How often a live claim is renewed; keep well under the lease. */
  renewEveryMs?: number;
  /** How often a waiter looks again. */
  pollEveryMs?: number;
  /** How often onWait is repeated while the holder stays the same. */
  reportEveryMs?: number;
  /** Default for LockOptions.timeoutMs. */
  defaultTimeoutMs?: number;
  /** Unique per runner; default `hostname-pid-random`. */
  ownerId?: string;
}

interface LiveClaimRow {
  owner: string;
  ticket: string | number;
  choosing: number;
  acquired_at: string | number;
  expires_at: string | number;
}

/** Cluster mode's session also offers a write without quorum (see `release`). */
type LockSession = ClickHouseSession & { insertLocally?(sql: string): Promise<void> };

export class ClickHouseLock {
  readonly ownerId: string;
  private readonly leaseSeconds: number;
  private readonly renewEveryMs: number;
  private readonly pollEveryMs: number;
  private readonly reportEveryMs: number;
  private readonly defaultTimeoutMs: number;
  private revision = 0;
  private tableReady = false;

  constructor(
    private readonly session: LockSession,
    private readonly logger: Logger,
    options: ClickHouseLockOptions = {},
    private readonly table = LOCK_TABLE,
    /** The CREATE statement, when not the single-server one (cluster mode: ON CLUSTER, replicated). */
    private readonly createSql = createLockTable(table),
  ) {
    this.ownerId = options.ownerId ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
    this.leaseSeconds = options.leaseSeconds ?? 30;
    this.renewEveryMs = options.renewEveryMs ?? 10_000;
    this.pollEveryMs = options.pollEveryMs ?? 500;
    this.reportEveryMs = options.reportEveryMs ?? 5_000;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 120_000;
  }

  /**
   * Runs `fn` while holding the lock. Waits (polling) while another live claim comes first,
   * telling `onWait` who holds it. Throws LockError after `timeoutMs`, CancelledError when
   * `signal` aborts; the claim is withdrawn in both cases and after `fn` settles.
   */
  async withLock<T>(fn: () => Promise<T>, options: { signal?: AbortSignal; timeoutMs?: number; onWait?: (holder: string) => void } = {}): Promise<T> {
    const claim = await this.acquire(options);
    try {
      return await fn();
    } finally {
      await claim.release();
    }
  }

  private async acquire(options: { signal?: AbortSignal; timeoutMs?: number; onWait?: (holder: string) => void }): Promise<{ release(): Promise<void> }> {
    const { signal, onWait } = options;
    const deadline = Date.now() + (options.timeoutMs ?? this.defaultTimeoutMs);
    await this.ensureTable(signal);

    // The state the renewals repeat; changed only by this function, read by `renew`.
    const state = { ticket: 0, choosing: true, acquiredAt: null as number | null };
    const claimRow = (released: boolean) =>
      insertClaim(this.table, {
        owner: this.ownerId,
        revision: ++this.revision,
        ticket: state.ticket,
        choosing: state.choosing,
        released,
        acquiredAt: state.acquiredAt,
        leaseSeconds: this.leaseSeconds,
      });
    const write = (released: boolean) => this.session.command(claimRow(released));
    let renewTimer: NodeJS.Timeout | undefined;
    const renew = () => {
      renewTimer = setTimeout(() => {
        write(false).then(renew, (error: unknown) => {
          this.logger.warn({ owner: this.ownerId, err: error }, 'could not renew the ClickHouse lock lease; retrying');
          renew();
        });
      }, this.renewEveryMs);
      renewTimer.unref();
    };
    let stopped = false;
    const release = async () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(renewTimer);
      try {
        await write(true);
      } catch (error) {
        // Cluster mode with a replica down: a release written on this node only still frees the
        // lock, since a waiter's next quorum write makes every earlier part visible to its reads.
        if (this.session.insertLocally) {
          try {
            await this.session.insertLocally(claimRow(true));
            this.logger.debug({ owner: this.ownerId, err: error }, 'released the ClickHouse lock without quorum (a replica is down)');
            return;
          } catch {
            // fall through to the lease
          }
        }
        // The lease runs out on its own; say so rather than failing the run that just finished.
        this.logger.warn({ owner: this.ownerId, err: error }, `could not release the ClickHouse lock; it frees itself within ${this.leaseSeconds} s`);
      }
    };

    try {
      await write(false);
      renew();
      const first = await this.liveClaims(signal);
      const mine = first.find((claim) => claim.owner === this.ownerId);
      state.acquiredAt = mine?.acquiredAt ?? null;
      state.ticket = 1 + Math.max(0, ...first.filter((claim) => claim.owner !== this.ownerId).map((claim) => claim.ticket));
      state.choosing = false;
      await write(false);

      let lastReport: { owner: string; at: number } | undefined;
      for (;;) {
        const decision = decideLock(this.ownerId, await this.liveClaims(signal));
        if (decision.enter) return { release };
        const holder = describeClaim(decision.blocker);
        const now = Date.now();
        if (onWait && (lastReport?.owner !== decision.blocker.owner || now - lastReport.at >= this.reportEveryMs)) {
          onWait(holder);
          lastReport = { owner: decision.blocker.owner, at: now };
        }
        if (now >= deadline) {
          throw new LockError(
            `Timed out after ${Math.round((options.timeoutMs ?? this.defaultTimeoutMs) / 1000)} s waiting for the ClickHouse migration lock (table ${this.table} in database ${this.session.database}), held by ${holder}.`,
          );
        }
        await sleep(Math.min(this.pollEveryMs, Math.max(0, deadline - now)), signal, 'cancelled while waiting for the ClickHouse migration lock');
      }
    } catch (error) {
      await release();
      if (hasErrorCode(error, 'LOCK') || hasErrorCode(error, 'CANCELLED')) throw error;
      if (signal?.aborted) throw new CancelledError('cancelled while waiting for the ClickHouse migration lock');
      throw new LockError(`Could not take the ClickHouse migration lock in database ${this.session.database}: ${messageOf(error)}`, { cause: error });
    }
  }

  private async ensureTable(signal?: AbortSignal): Promise<void> {
    if (this.tableReady) return;
    try {
      await this.session.command(this.createSql, signal);
    } catch (error) {
      if (signal?.aborted) throw new CancelledError('cancelled while preparing the ClickHouse migration lock');
      throw new LockError(`Could not create the lock table ${this.table} in ClickHouse database ${this.session.database}: ${messageOf(error)}`, {
        cause: error,
      });
    }
    this.tableReady = true;
  }

  private async liveClaims(signal?: AbortSignal): Promise<LockClaim[]> {
    const rows = await this.session.rows<LiveClaimRow>(selectLiveClaims(this.table), signal);
    return rows.map((row) => ({
      owner: row.owner,
      ticket: Number(row.ticket),
      choosing: Number(row.choosing) === 1,
      acquiredAt: Number(row.acquired_at),
      expiresAt: Number(row.expires_at),
    }));
  }
}
