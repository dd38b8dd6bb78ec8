import { inject } from 'vitest';

import { createDatabaseOn } from './sql.ts';

export { withClient } from './sql.ts';

/** Why PostgreSQL tests cannot run, or undefined when global-setup started a server. */
export function postgresMissing(): string | undefined {
  if (inject('postgresAdminUrl')) return undefined;
  return inject('postgresError') ?? 'global-setup provided no PostgreSQL server';
}

/** The maintenance URL from global-setup. */
export function postgresAdminUrl(): string {
  const url = inject('postgresAdminUrl');
  if (!url) throw new Error(`no PostgreSQL server: ${postgresMissing()}`);
  return url;
}

/** A fresh database on the test server for one test file or test; see `createDatabaseOn`. */
export function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  return createDatabaseOn(postgresAdminUrl(), 'schemasync_test');
}
