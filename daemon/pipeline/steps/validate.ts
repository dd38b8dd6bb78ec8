import { existsSync } from 'node:fs';
import path from 'node:path';

import { isSchemasyncError } from '../../errors.ts';
import { parseMigration } from '../../migrations/parse.ts';
import type { Changes } from '../changes.ts';
import { touches } from '../changes.ts';
import { loadMigrationFiles } from '../migrate.ts';
import type { Step } from '../pipeline.ts';
import type { RunState, StepDeps } from './context.ts';

/**
 * Reads each touched target's folder and parses the changed files before anything touches a
 * database: a file goose would refuse stops the run here. A broken Down only warns, since goose
 * applies a file whose Down it cannot parse (it parses one direction at a time).
 */
export function validateStep(deps: StepDeps): Step<RunState> {
  return {
    name: 'validate',
    dependsOn: [],
    skipReason: (changes) => (deps.targets.some((t) => touches(changes, t.name)) ? undefined : 'no migration changed'),
    async run(changes: Changes, state: RunState) {
      let checked = 0;
      for (const target of deps.targets.filter((t) => touches(changes, t.name))) {
        const dir = deps.dirs.get(target.name)!;
        const files = await loadMigrationFiles({ dir, projectRoot: deps.projectRoot, logger: deps.logger, target });
        state.files[target.name] = files;
        const changed = changes.full ? files : files.filter((file) => changes.migrations[target.name].some((p) => p.endsWith(`/${file.name}`)));
        for (const file of changed) {
          parseMigration(file.text, 'up', { file: file.path, env: deps.env });
          try {
            parseMigration(file.text, 'down', { file: file.path, env: deps.env });
          } catch (error) {
            if (!isSchemasyncError(error)) throw error;
            deps.logger.warn({ event: 'validate:down', target: target.name, file: file.path }, `${error.message} (the Down section: up still works, down will fail)`);
          }
          checked++;
        }
        for (const gone of changes.migrations[target.name].filter((p) => p.endsWith('.sql') && !existsSync(p))) {
          deps.logger.info({ event: 'migration:deleted', target: target.name, file: gone }, `deleted: ${path.relative(deps.projectRoot, gone)}`);
        }
      }
      return { status: 'ok' as const, detail: `${checked} file${checked === 1 ? '' : 's'} parsed` };
    },
  };
}
