import { describe, expect, it } from 'vitest';

import { decideLock, describeClaim, type LockClaim } from '../../../../daemon/targets/clickhouse/lock-claims.ts';
import { insertClaim, sqlString } from '../../../../daemon/targets/clickhouse/queries.ts';

const claim = (owner: string, ticket: number, choosing = false): LockClaim => ({
  owner,
  ticket,
  choosing,
  acquiredAt: 1_700_000_000,
  expiresAt: 1_700_000_030,
});

describe('decideLock (bakery rule)', () => {
  it('enters alone', () => {
    expect(decideLock('me', [claim('me', 1)])).toEqual({ enter: true });
  });
  it('waits while another claimant is still taking a ticket', () => {
    expect(decideLock('me', [claim('me', 1), claim('other', 0, true)])).toEqual({ enter: false, blocker: claim('other', 0, true) });
  });
  it('serves the smallest ticket first, then the smaller owner id on a tie', () => {
    expect(decideLock('me', [claim('me', 3), claim('b', 2), claim('a', 1)])).toEqual({ enter: false, blocker: claim('a', 1) });
    expect(decideLock('b', [claim('a', 4), claim('b', 4)])).toEqual({ enter: false, blocker: claim('a', 4) });
    expect(decideLock('a', [claim('a', 4), claim('b', 4)])).toEqual({ enter: true });
    expect(decideLock('me', [claim('me', 1), claim('later', 2)])).toEqual({ enter: true });
  });
  it('fails loudly when my own claim is not live', () => {
    expect(() => decideLock('me', [claim('other', 1)])).toThrow(/lease ran out/);
  });
});

describe('lock SQL', () => {
  it('describes a holder with server times', () => {
    expect(describeClaim(claim('host-1-ab', 2))).toBe('host-1-ab (ticket 2, since 2023-11-14T22:13:20Z, lease until 2023-11-14T22:13:50Z)');
  });
  it('quotes owner ids as string literals', () => {
    expect(sqlString("o'k\\")).toBe("'o\\'k\\\\'");
    expect(
      insertClaim('schemasync_lock', { owner: "it's", revision: 2, ticket: 5, choosing: false, released: false, acquiredAt: null, leaseSeconds: 30 }),
    ).toBe("INSERT INTO schemasync_lock (owner, revision, ticket, choosing, released, acquired_at, expires_at) SELECT 'it\\'s', 2, 5, 0, 0, now(), now() + 30");
  });
});
