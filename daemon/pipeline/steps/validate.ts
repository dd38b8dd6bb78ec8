import { existsSync } from 'node:fs';
import path from 'node:path';

import { loadMigrationFiles } from '../../engine/index.ts';
import { isSchemasyncError } from '../../errors.ts';
import { parseMigration } from '../../migrations/parse.ts';
import { changedFileTest, touches, type Changes } from '../changes.ts';
import type { Target } from '../../targets/target.ts';
import type { Step } from '../pipeline.ts';
import type { RunState, StepDeps } from './context.ts';

/**
 * Reads one target's folder and parses its changed files before anything touches that database:
 * a file goose would refuse stops this target's apply here (one step per target, so a bad
 * ClickHouse file does not hold PostgreSQL back). A broken Down only warns, since goose applies a
 * file whose Down it cannot parse (it parses one direction at a time).
 */
export function validateStep(deps: StepDeps, target: Target): Step<RunState> {
  return {
    name: `validate:${target.name}`,
    dependsOn: [],
    skipReason: (changes) => (touches(changes, target.name) ? undefined : `no ${target.name} migration changed`),
    async run(changes: Changes, state: RunState) {
      const dir = deps.dirs.get(target.name)!;
      const files = await loadMigrationFiles({ dir, projectRoot: deps.projectRoot, logger: deps.logger, target });
      state.files[target.name] = files;
      const sql = files.filter((file) => !file.go);
      const changed = changes.full ? sql : sql.filter(changedFileTest(deps.projectRoot, changes.migrations[target.name]));
      for (const file of changed) {
        parseMigration(file.text, 'up', { file: file.path, env: deps.env });
        target.review?.(file, deps.env);
        try {
          parseMigration(file.text, 'down', { file: file.path, env: deps.env });
        } catch (error) {
          if (!isSchemasyncError(error)) throw error;
          deps.logger.warn(
            { event: 'validate:down', target: target.name, file: file.path },
            `${error.message} (the Down section: up still works, down will fail)`,
          );
        }
      }
      for (const gone of changes.migrations[target.name].filter((p) => p.endsWith('.sql') && !existsSync(p))) {
        deps.logger.info({ event: 'migration:deleted', target: target.name, file: gone }, `deleted: ${path.relative(deps.projectRoot, gone)}`);
      }
      return { status: 'ok' as const, detail: `${changed.length} file${changed.length === 1 ? '' : 's'} parsed` };
    },
  };
}
