import { describeOrphans, rollbackOrphans } from '../../engine/index.ts';
import { appliedWithoutFile } from '../../migrations/plan.ts';
import { fingerprintCatalog } from '../../targets/fingerprint.ts';
import type { Target } from '../../targets/target.ts';
import { touches } from '../changes.ts';
import type { Step } from '../pipeline.ts';
import { engineContext, type RunState, type StepDeps } from './context.ts';

/**
 * Before apply: finds the orphans of one target (applied migrations whose file is gone from
 * the working tree but which git has on another branch, drift/orphans.ts). With --follow-branch
 * it rolls them back (engine/orphans.ts), so that apply then brings in the checked-out branch's
 * migrations; otherwise it leaves them, and the drift step says once what they are and how to
 * roll them back. A rollback that stops fails the step, so apply and what follows it do not run
 * on a half-switched database.
 */
export function orphanStep(deps: StepDeps, target: Target): Step<RunState> {
  return {
    name: `orphans:${target.name}`,
    dependsOn: [`validate:${target.name}`],
    skipReason: (changes) => (!deps.orphans ? 'git is not asked' : touches(changes, target.name) ? undefined : `no ${target.name} migration changed`),
    async run(_changes, state, signal) {
      const dir = deps.dirs.get(target.name)!;
      await target.connect(signal);
      const missing = appliedWithoutFile(state.files[target.name] ?? [], await target.listVersions());
      if (missing.length === 0) return { status: 'skipped' as const, detail: 'no applied migration without a file' };
      const orphans = await deps.orphans!.locate(dir, missing, state.branch?.from);
      (state.orphans ??= {})[target.name] = orphans;
      if (orphans.length === 0) return { status: 'skipped' as const, detail: 'the applied migrations without a file are on no git branch' };
      // Only right after a switch: a commit that deletes an applied migration is no reason to drop its tables.
      if (!deps.followBranch) return { status: 'ok' as const, detail: `left applied (no --follow-branch): ${describeOrphans(orphans)}` };
      if (!state.branch)
        return {
          status: 'ok' as const,
          detail: `left applied (no switch in this run; \`schemasync down --orphans\` rolls them back): ${describeOrphans(orphans)}`,
        };

      const result = await rollbackOrphans(engineContext(deps, target, signal), orphans);
      state.orphans[target.name] = result.left;
      // Prisma and sqlc follow the schema's fingerprint: a switch that only rolls back must move it too.
      if (target.name === deps.typesTarget && result.applied.length > 0) state.typesFingerprint = fingerprintCatalog(await target.introspect());
      if (result.error) throw result.error;
      const count = result.applied.length;
      return { status: 'ok' as const, detail: `rolled back ${count} migration${count === 1 ? '' : 's'} of another branch: ${describeOrphans(orphans)}` };
    },
  };
}
