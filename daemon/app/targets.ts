import path from 'node:path';

import { TARGETS, type TargetName } from '../config/targets.ts';
import type { Config } from '../config/types.ts';
import type { Logger } from '../log/types.ts';
import { SQL_TEMPLATE } from '../migrations/filename.ts';
import { startEmbeddedPostgres } from '../targets/postgres/embedded.ts';
import { createPostgresTarget } from '../targets/postgres/target.ts';
import type { Target } from '../targets/target.ts';

/**
 * The other half of each target's registration (config/targets.ts has its data): how it is
 * opened (its driver, imported lazily where it is heavy; its embedded server, if it has one)
 * and the file `create` writes for it. The one place that knows every engine.
 */
interface TargetRuntime {
  /** Opens the target at its URL, or its embedded server (stopped with `stops`); undefined when it is off. */
  open(config: Config, logger: Logger, stops: Array<() => Promise<void>>): Promise<{ target: Target; url: string } | undefined>;
  /** The text `schemasync create` writes (goose's template unless the target needs more). */
  template(config: Config): Promise<string>;
}

const RUNTIME: Record<TargetName, TargetRuntime> = {
  postgres: {
    async open(config, logger, stops) {
      let url = config.postgres.url;
      if (!url) {
        const embedded = await startEmbeddedPostgres({
          dataDir: embeddedDataDir(config.projectRoot),
          logger: logger.child({ component: 'embedded-postgres' }),
        });
        stops.push(() => embedded.stop());
        url = embedded.url;
      }
      return { target: createPostgresTarget(url, { logger, table: config.postgres.table }), url };
    },
    template: () => Promise.resolve(SQL_TEMPLATE),
  },
  clickhouse: {
    async open(config, logger) {
      const { url, table, cluster } = config.clickhouse;
      if (!url) return undefined;
      // Imported here: @clickhouse/client is not worth loading in a PostgreSQL-only project.
      const { createClickHouseTarget } = await import('../targets/clickhouse/target.ts');
      return { target: createClickHouseTarget(url, { logger, table, cluster: cluster ? { name: cluster } : undefined }), url };
    },
    async template(config) {
      if (!config.clickhouse.cluster) return SQL_TEMPLATE;
      const { clusterMigrationTemplate } = await import('../targets/clickhouse/cluster-ddl.ts');
      return clusterMigrationTemplate(config.clickhouse.cluster);
    },
  },
};

/** One opened target: its connection, its migrations folder, and the URL it opened (the embedded server's when none is configured). */
export interface OpenedTarget {
  target: Target;
  dir: string;
  url: string;
}

export interface OpenedTargets {
  /** In registration order (PostgreSQL first). */
  opened: OpenedTarget[];
  targets: Target[];
  /** Migration folder of each opened target. */
  dirs: Map<TargetName, string>;
  /** The opened target whose catalog feeds Prisma and sqlc (config/targets.ts `feedsTypes`); none when it is not open. */
  types: OpenedTarget | undefined;
  close(): Promise<void>;
}

/** Where the embedded server keeps its data: git-ignored, inside the project. */
export const embeddedDataDir = (projectRoot: string) => path.join(projectRoot, '.schemasync', TARGETS.find((spec) => spec.embedded)!.name);

/** The file `schemasync create` writes for a target. */
export const createTemplate = (config: Config, name: TargetName) => RUNTIME[name].template(config);

/**
 * Opens the targets named (default: all configured). Without a URL a target with an embedded
 * server starts it on demand (`close()` stops it); one without is off.
 */
export async function openTargets(config: Config, logger: Logger, names: TargetName[] = config.targets): Promise<OpenedTargets> {
  const opened: OpenedTarget[] = [];
  const stops: Array<() => Promise<void>> = [];
  const close = async () => {
    await Promise.allSettled(opened.map(({ target }) => target.close()));
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    for (const spec of TARGETS) {
      if (!names.includes(spec.name)) continue;
      const open = await RUNTIME[spec.name].open(config, logger.child({ target: spec.name }), stops);
      if (open) opened.push({ ...open, dir: config[spec.name].dir });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    opened,
    targets: opened.map((o) => o.target),
    dirs: new Map(opened.map((o) => [o.target.name, o.dir])),
    types: opened.find((o) => TARGETS.some((spec) => spec.feedsTypes && spec.name === o.target.name)),
    close,
  };
}
