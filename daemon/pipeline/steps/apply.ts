import path from 'node:path';

import { hasErrorCode } from '../../errors.ts';
import type { MigrationFile } from '../../migrations/types.ts';
import { fingerprintCatalog } from '../../targets/fingerprint.ts';
import type { Target } from '../../targets/target.ts';
import { touches } from '../changes.ts';
import { migrateUp, type AppliedMigration } from '../migrate.ts';
import { SchemaLog } from '../schema-log.ts';
import type { Step } from '../pipeline.ts';
import type { RunState, StepDeps } from './context.ts';

/**
 * Applies the pending migrations of one target (one step per target, so a ClickHouse failure
 * does not hold back Prisma). For PostgreSQL it also fingerprints the catalog when the schema may
 * have changed, which is how the Prisma step knows whether it has anything to do: a migration
 * that only inserts rows leaves the fingerprint as it was.
 */
export function applyStep(deps: StepDeps, target: Target): Step<RunState> {
  // Go migrations already reported: the daemon says it once per file, not once per run.
  const goReported = new Set<string>();
  // Template files already announced (path + text): one line per file, not one per run.
  const templatesReported = new Set<string>();
  // Kept across runs: the catalog after one run's migrations is the catalog before the next's.
  const schemaLog = new SchemaLog(target, deps.logger.child({ target: target.name }));
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
          schemaLog,
        },
        {
          files: state.files[target.name],
          quietMissing: state.orphans?.[target.name]?.map((orphan) => orphan.version),
          reapplyIf: deps.redo ? changedFile(deps.projectRoot, changes.migrations[target.name]) : undefined,
          holdTemplates: true,
        },
      );
      const waiting = result.waitingForSql;
      if (waiting && !templatesReported.has(waiting.path)) {
        templatesReported.add(waiting.path);
        deps.logger.info(
          { event: 'migration:template', target: target.name, file: waiting.path },
          `${waiting.path} still holds the template \`schemasync create\` wrote: waiting for its SQL before applying it (and anything after it)`,
        );
      }
      const go = hasErrorCode(result.error, 'GO_MIGRATION') ? result.error : undefined;
      if (result.error && !go) throw result.error;
      if (go && !goReported.has(go.file)) {
        goReported.add(go.file);
        deps.logger.warn({ event: 'migration:go', target: target.name, file: go.file }, go.message);
      }
      if (target.name === 'postgres' && (result.applied.length > 0 || changes.full)) {
        // The schema log read the catalog after the last migration: no second read.
        state.postgresFingerprint = fingerprintCatalog((result.applied.length > 0 ? schemaLog.latest : undefined) ?? (await target.introspect()));
      }
      const done = describeApplied(result.applied) ?? (go ? 'nothing applied' : `up to date at ${result.currentVersion}`);
      const stopped = go ? `; stopped at the Go migration ${path.basename(go.file)}` : waiting ? `; ${waiting.name} waits for its SQL` : '';
      return { status: 'ok' as const, detail: `${done}${stopped}` };
    },
  };
}

/** True for a file among this run's changed paths (absolute): only a file being edited is re-applied, never on start-up. */
function changedFile(projectRoot: string, changed: string[]): (file: MigrationFile) => boolean {
  const paths = new Set(changed.map((changedPath) => path.resolve(changedPath)));
  return (file) => paths.has(path.resolve(projectRoot, file.path));
}

/** "applied 2 migrations", "re-applied 1 migration", both, or undefined for nothing: a re-applied file counts once. */
export function describeApplied(applied: AppliedMigration[]): string | undefined {
  const plural = (n: number) => `${n} migration${n === 1 ? '' : 's'}`;
  const fresh = applied.filter((entry) => !entry.reapplied).length;
  const reapplied = applied.filter((entry) => entry.reapplied && entry.direction === 'up').length;
  const parts = [fresh > 0 ? `applied ${plural(fresh)}` : '', reapplied > 0 ? `re-applied ${plural(reapplied)}` : ''].filter(Boolean);
  return parts.length === 0 ? undefined : parts.join(', ');
}
