/** The bakery rule of the ClickHouse lock (lock.ts) and how a claim is described to a waiter. Pure. */

/** One owner's newest row, as read from the table. Times are Unix seconds (server clock). */
export interface LockClaim {
  owner: string;
  ticket: number;
  choosing: boolean;
  acquiredAt: number;
  expiresAt: number;
}

export type LockDecision = { enter: true } | { enter: false; blocker: LockClaim };

/**
 * Bakery rule, pure: `me` may enter when no other live claim is choosing and no other ticket
 * comes before mine. `claims` are the live claims (not released, lease not past), mine included.
 */
export function decideLock(me: string, claims: LockClaim[]): LockDecision {
  const mine = claims.find((claim) => claim.owner === me);
  if (!mine) throw new Error(`the lock claim of ${me} is missing; its lease ran out before it was read.`);
  const others = claims.filter((claim) => claim.owner !== me);
  const choosing = others.find((claim) => claim.choosing);
  if (choosing) return { enter: false, blocker: choosing };
  const ahead = others.filter((claim) => claim.ticket > 0 && comesBefore(claim, mine)).sort((a, b) => (comesBefore(a, b) ? -1 : 1));
  return ahead[0] ? { enter: false, blocker: ahead[0] } : { enter: true };
}

function comesBefore(a: LockClaim, b: LockClaim): boolean {
  return a.ticket !== b.ticket ? a.ticket < b.ticket : a.owner < b.owner;
}

/** "owner (since 12:00:01Z, lease until 12:00:31Z)": what a waiter is told about the holder. */
export function describeClaim(claim: LockClaim): string {
  const time = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
  const state = claim.choosing ? 'taking a ticket' : `ticket ${claim.ticket}`;
  return `${claim.owner} (${state}, since ${time(claim.acquiredAt)}, lease until ${time(claim.expiresAt)})`;
}
