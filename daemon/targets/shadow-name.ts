/** Names of shadow databases (drift checks), shared by every target. Pure. */

/** Shadow databases are named `schemasync_shadow_<unix seconds>_<random>`, so a later run can tell a stale one by its name. */
export const SHADOW_PREFIX = 'schemasync_shadow_';

/** How old a shadow database must be before a new run drops it as left behind by a killed run. */
export const STALE_SHADOW_MS = 60 * 60 * 1000;

export function shadowName(nowMs: number, random: string): string {
  return `${SHADOW_PREFIX}${Math.floor(nowMs / 1000)}_${random}`;
}

/** True for a shadow database created more than `maxAgeMs` before `nowMs`. Names that do not parse are left alone. */
export function isStaleShadow(name: string, nowMs: number, maxAgeMs = STALE_SHADOW_MS): boolean {
  const match = /^schemasync_shadow_(\d+)_[a-z0-9]+$/.exec(name);
  if (!match?.[1]) return false;
  return nowMs - Number(match[1]) * 1000 > maxAgeMs;
}
