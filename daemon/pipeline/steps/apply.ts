import path from 'node:path';

import { migrateUp, type AppliedMigration } from '../../engine/index.ts';
import { fingerprintCatalog } from '../../targets/fingerprint.ts';
import type { Target } from '../../targets/target.ts';
import { changedFileTest, touches } from '../changes.ts';
import type { Step } from '../pipeline.ts';
import { engineContext, type RunState, type StepDeps } from './context.ts';

/**
 * Applies the pending migrations of one target (one step per target, so a ClickHouse failure
 * does not hold back Prisma). For the target whose catalog feeds Prisma and sqlc it also fingerprints the catalog when the schema may
 * have changed, which is how the Prisma step knows whether it has anything to do: a migration
 * that only inserts rows leaves the fingerprint as it was.
 */
export function applyStep(deps: StepDeps, target: Target): Step<RunState> {
  // Go migrations already reported: the daemon says it once per file, not once per run.
  const goReported = new Set<string>();
  // Template files already announced (path + text): one line per file, not one per run.
  const templatesReported = new Set<string>();
  const schemaLog = deps.schemaLogs.get(target.name);
  return {
    name: `apply:${target.name}`,
    // orphans: only when the orphans step is in the pipeline; a rollback that stopped blocks apply.
    dependsOn: [`validate:${target.name}`, `orphans:${target.name}`],
    skipReason: (changes) => (touches(changes, target.name) ? undefined : `no ${target.name} migration changed`),
    async run(changes, state, signal) {
      const result = await migrateUp(engineContext(deps, target, signal), {
        files: state.files[target.name],
        quietMissing: state.orphans?.[target.name]?.map((orphan) => orphan.version),
        // Only a file being edited is re-applied, never on start-up.
        reapplyIf: deps.redo ? changedFileTest(deps.projectRoot, changes.migrations[target.name]) : undefined,
        holdTemplates: true,
      });
      if (result.rows) state.versions[target.name] = result.rows;
      if (result.ledger) state.ledgers[target.name] = result.ledger;
      const waiting = result.waitingForSql;
      if (waiting && !templatesReported.has(waiting.path)) {
        templatesReported.add(waiting.path);
        deps.logger.info(
          { event: 'migration:template', target: target.name, file: waiting.path },
          `${waiting.path} still holds the template \`schemasync create\` wrote: waiting for its SQL before applying it (and anything after it)`,
        );
      }
      const go = result.stoppedAtGo;
      if (result.error && !go) throw result.error;
      if (go && !goReported.has(go)) {
        goReported.add(go);
        deps.logger.warn({ event: 'migration:go', target: target.name, file: go, err: result.error }, result.error!.message);
      }
      const fingerprinted = target.name === deps.typesTarget || deps.fingerprinted?.includes(target.name) === true;
      if (fingerprinted && (result.applied.length > 0 || changes.full)) {
        // The schema log read the catalog after the last migration: no second read.
        const fingerprint = fingerprintCatalog((result.applied.length > 0 ? schemaLog?.latest : undefined) ?? (await target.introspect()));
        if (target.name === deps.typesTarget) state.typesFingerprint = fingerprint;
        else state.fingerprints = { ...state.fingerprints, [target.name]: fingerprint };
      }
      const done = describeApplied(result.applied) ?? (go ? 'nothing applied' : `up to date at ${result.currentVersion}`);
      const stopped = go ? `; stopped at the Go migration ${path.basename(go)}` : waiting ? `; ${waiting.name} waits for its SQL` : '';
      return { status: 'ok' as const, detail: `${done}${stopped}` };
    },
  };
}

/** "applied 2 migrations", "re-applied 1 migration", both, or undefined for nothing: a re-applied file counts once. */
export function describeApplied(applied: AppliedMigration[]): string | undefined {
  const plural = (n: number) => `${n} migration${n === 1 ? '' : 's'}`;
  const fresh = applied.filter((entry) => !entry.reapplied).length;
  const reapplied = applied.filter((entry) => entry.reapplied && entry.direction === 'up').length;
  const parts = [fresh > 0 ? `applied ${plural(fresh)}` : '', reapplied > 0 ? `re-applied ${plural(reapplied)}` : ''].filter(Boolean);
  return parts.length === 0 ? undefined : parts.join(', ');
}
