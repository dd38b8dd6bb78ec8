import path from 'node:path';

import type { Config } from '../config/types.ts';
import type { Logger } from '../log/types.ts';
import { startEmbeddedPostgres } from '../targets/embedded.ts';
import { createPostgresTarget } from '../targets/postgres/target.ts';
import type { Target, TargetName } from '../targets/target.ts';

/** The configured targets, opened; the one place that knows every engine (DESIGN: "one entry in app/"). */
export interface OpenedTargets {
  targets: Target[];
  /** The PostgreSQL URL actually used (the embedded server's when none is configured), for Prisma. */
  postgresUrl: string | undefined;
  /** Migration folder of each target. */
  dirs: Map<TargetName, string>;
  close(): Promise<void>;
}

/** The target whose catalog feeds Prisma and sqlc (the type generators): the one app/ names. */
export const TYPES_TARGET: TargetName = 'postgres';

/** Where the embedded PostgreSQL keeps its data: git-ignored, inside the project. */
export const embeddedDataDir = (projectRoot: string) => path.join(projectRoot, '.schemasync', 'postgres');

/**
 * Opens the targets named (default: all configured). With no DATABASE_URL the embedded
 * PostgreSQL is started on demand and stopped by `close()`.
 */
export async function openTargets(config: Config, logger: Logger, names: TargetName[] = config.targets): Promise<OpenedTargets> {
  const targets: Target[] = [];
  const dirs = new Map<TargetName, string>();
  const stops: Array<() => Promise<void>> = [];
  let postgresUrl = config.postgres.url;
  const close = async () => {
    await Promise.allSettled(targets.map((target) => target.close()));
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    if (names.includes('postgres')) {
      if (!postgresUrl) {
        const embedded = await startEmbeddedPostgres({
          dataDir: embeddedDataDir(config.projectRoot),
          logger: logger.child({ component: 'embedded-postgres' }),
        });
        stops.push(() => embedded.stop());
        postgresUrl = embedded.url;
      }
      targets.push(createPostgresTarget(postgresUrl, { logger: logger.child({ target: 'postgres' }), table: config.postgres.table }));
      dirs.set('postgres', config.postgres.dir);
    }
    if (names.includes('clickhouse') && config.clickhouse.url) {
      // Imported here: @clickhouse/client is not worth loading in a PostgreSQL-only project.
      const { createClickHouseTarget } = await import('../targets/clickhouse/target.ts');
      const cluster = config.clickhouse.cluster ? { name: config.clickhouse.cluster } : undefined;
      targets.push(createClickHouseTarget(config.clickhouse.url, { logger: logger.child({ target: 'clickhouse' }), table: config.clickhouse.table, cluster }));
      dirs.set('clickhouse', config.clickhouse.dir);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { targets, postgresUrl, dirs, close };
}
