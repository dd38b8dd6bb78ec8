import path from 'node:path';

import type { MigrationFile } from '../../migrations/types.ts';
import { fingerprintCatalog } from '../../targets/fingerprint.ts';
import type { Target } from '../../targets/target.ts';
import { touches } from '../changes.ts';
import { migrateUp } from '../migrate.ts';
import type { Step } from '../pipeline.ts';
import type { RunState, StepDeps } from './context.ts';

/**
 * Applies the pending migrations of one target (one step per target, so a ClickHouse failure
 * does not hold back Prisma). For PostgreSQL it also fingerprints the catalog when the schema may
 * have changed, which is how the Prisma step knows whether it has anything to do: a migration
 * that only inserts rows leaves the fingerprint as it was.
 */
export function applyStep(deps: StepDeps, target: Target): Step<RunState> {
  return {
    name: `apply:${target.name}`,
    // orphans: only when the orphans step is in the pipeline; a rollback that stopped blocks apply.
    dependsOn: [`validate:${target.name}`, `orphans:${target.name}`],
    skipReason: (changes) => (touches(changes, target.name) ? undefined : `no ${target.name} migration changed`),
    async run(changes, state, signal) {
      const result = await migrateUp(
        {
          target,
          dir: deps.dirs.get(target.name)!,
          projectRoot: deps.projectRoot,
          env: deps.env,
          logger: deps.logger.child({ target: target.name }),
          allowMissing: deps.allowMissing,
          lockTimeoutMs: deps.lockTimeoutMs,
          signal,
        },
        {
          files: state.files[target.name],
          quietMissing: state.orphans?.[target.name]?.map((orphan) => orphan.version),
          reapplyIf: deps.redo ? changedFile(deps.projectRoot, changes.migrations[target.name]) : undefined,
        },
      );
      if (result.error) throw result.error;
      if (target.name === 'postgres' && (result.applied.length > 0 || changes.full)) {
        state.postgresFingerprint = fingerprintCatalog(await target.introspect());
      }
      const count = result.applied.length;
      return { status: 'ok' as const, detail: count === 0 ? `up to date at ${result.currentVersion}` : `applied ${count} migration${count === 1 ? '' : 's'}` };
    },
  };
}

/** True for a file among this run's changed paths (absolute): only a file being edited is re-applied, never on start-up. */
function changedFile(projectRoot: string, changed: string[]): (file: MigrationFile) => boolean {
  const paths = new Set(changed.map((changedPath) => path.resolve(changedPath)));
  return (file) => paths.has(path.resolve(projectRoot, file.path));
}
