import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { findSqlcConfig } from '../config/discover.ts';
import type { LoadedConfig } from '../config/load.ts';
import { sqlcConfigCandidates } from '../config/load.ts';
import { messageOf } from '../errors.ts';
import type { Logger } from '../log/types.ts';
import { sqlcPaths } from '../tools/project-files.ts';

/**
 * The sqlc config and the query paths it names, as the daemon watches them. Re-read when the
 * config changes (or one appears, when it was discovered rather than configured), so a new
 * `sql` block or a new sqlc.json is followed without a restart.
 */
export interface SqlcLayout {
  /** The config file in use (it may not exist yet). */
  configFile: string;
  /** Query folders and files of its postgresql blocks. */
  queries: string[];
  /** Every path to watch for sqlc: the config (and the names sqlc would find), the queries. */
  watched(): string[];
  /** Re-reads after a change; true when the config file or its query paths changed. */
  refresh(changed: string[]): boolean;
}

export function sqlcLayout(loaded: LoadedConfig, logger: Logger): SqlcLayout {
  const root = loaded.config.projectRoot;
  // A configured file is the one; a discovered one may be replaced by another name sqlc finds.
  const discovered = !loaded.origins || ['found', 'default'].includes(loaded.origins.sqlcConfig);
  const candidates = discovered ? sqlcConfigCandidates(root) : [];
  const read = (file: string): string[] => {
    if (!existsSync(file)) return [];
    try {
      return sqlcPaths(readFileSync(file, 'utf8'), file).queries;
    } catch (error) {
      // The sqlc step reports a broken config when it runs; watching keeps the last good paths.
      logger.debug({ event: 'sqlc:config-unreadable', err: error }, messageOf(error));
      return layout.queries;
    }
  };
  const layout: SqlcLayout = {
    configFile: loaded.config.sqlc.configFile,
    queries: [],
    watched: () => [...new Set([layout.configFile, ...candidates, ...layout.queries])],
    refresh(changed) {
      if (!changed.some((file) => file === layout.configFile || candidates.includes(file))) return false;
      const configFile = (discovered ? findSqlcConfig(root) : undefined) ?? layout.configFile;
      const queries = read(configFile);
      const moved = configFile !== layout.configFile || queries.join('\n') !== layout.queries.join('\n');
      if (configFile !== layout.configFile) logger.info({ event: 'sqlc:config', file: configFile }, `sqlc config is now ${path.relative(root, configFile)}`);
      layout.configFile = configFile;
      layout.queries = queries;
      return moved;
    },
  };
  layout.queries = read(layout.configFile);
  return layout;
}
