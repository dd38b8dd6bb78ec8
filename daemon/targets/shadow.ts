/**
 * The shadow-database lifecycle, the same for every target: drop the stale shadows a killed run
 * left behind, create a fresh one, open a target on it (this URL with the database swapped), and
 * drop it exactly once. Each target supplies a small driver for its own SQL and errors.
 */
import { randomBytes } from 'node:crypto';

import { messageOf } from '../errors.ts';
import type { Logger } from '../log/types.ts';
import { isStaleShadow, SHADOW_PREFIX, shadowName } from './shadow-name.ts';
import type { ShadowDatabase, ShadowUnavailable, Target } from './target.ts';

export interface ShadowDriver {
  /** The URL of the target the shadow is made beside; the shadow's URL differs only in its database path. */
  readonly url: string;
  /** The database `url` names (the live one). */
  readonly database: string;
  readonly logger: Logger;
  /** Names of the databases on the server that start with `prefix`. Throws a SchemasyncError. */
  listDatabases(prefix: string): Promise<string[]>;
  /** Creates the database; returns why not when the user may not create databases, throws a SchemasyncError otherwise. */
  createDatabase(name: string): Promise<ShadowUnavailable | undefined>;
  /** Drops the database (and ends its sessions where the server needs that). May throw. */
  dropDatabase(name: string): Promise<void>;
  /** A target of the same kind and options on `url`, not yet connected. */
  open(url: string): Target;
}

/** A new, empty shadow database beside the driver's target (see Target.createShadow). */
export async function createShadow(driver: ShadowDriver): Promise<ShadowDatabase | ShadowUnavailable> {
  const existing = await driver.listDatabases(SHADOW_PREFIX);
  for (const name of existing.filter((name) => isStaleShadow(name, Date.now()))) await dropQuietly(driver, name);
  const name = shadowName(Date.now(), randomBytes(4).toString('hex'));
  const unavailable = await driver.createDatabase(name);
  if (unavailable) return unavailable;
  const target = driver.open(shadowUrl(driver.url, name));
  let databases: string[];
  try {
    databases = await driver.listDatabases('');
  } catch (error) {
    await dropQuietly(driver, name);
    throw error;
  }
  let dropped: Promise<void> | undefined;
  return {
    name,
    target,
    bounds: { live: driver.database, databases },
    drop: () =>
      (dropped ??= (async () => {
        await target.close().catch(() => {});
        await dropQuietly(driver, name);
      })()),
  };
}

/** `url` with its database path replaced by `database`. */
export function shadowUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Never throws: a leftover shadow is dropped by a later run. */
async function dropQuietly(driver: ShadowDriver, name: string): Promise<void> {
  try {
    await driver.dropDatabase(name);
  } catch (error) {
    driver.logger.warn({ event: 'shadow:drop-failed', database: name, err: error }, `could not drop the shadow database ${name}: ${messageOf(error)}`);
  }
}
