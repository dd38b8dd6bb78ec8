import { TYPES_SPEC } from '../config/targets.ts';
import { FULL_RUN } from '../pipeline/changes.ts';
import { newRunState } from '../pipeline/steps/context.ts';
import { buildPipeline, type StepSelection } from './build-pipeline.ts';
import type { AppContext } from './context.ts';
import { handleSignals } from './lifecycle.ts';
import { Project } from './project.ts';
import { logRunEnd } from './run-end.ts';
import { waitForTargets } from './wait.ts';

/**
 * `schemasync sync`: one full run, then exit. Returns the exit status: 0 when every step
 * succeeded, 1 otherwise.
 */
export async function syncOnce(ctx: AppContext, selection: StepSelection = 'all'): Promise<number> {
  const controller = new AbortController();
  const stopSignals = handleSignals(ctx.logger, () => Promise.resolve(controller.abort()));
  try {
    // dev:types needs only the target that feeds the types.
    const names = selection === 'types' ? [TYPES_SPEC.name] : ctx.config.targets;
    const project = await Project.open(ctx, { names });
    try {
      const { pipeline } = buildPipeline(project, selection);
      await waitForTargets(project.targets.targets, ctx.logger, controller.signal);
      // dev:types asks for the generators explicitly: they run even when their inputs look unchanged.
      const report = await pipeline.run(FULL_RUN, { ...newRunState(), force: selection === 'types' }, controller.signal);
      logRunEnd(ctx.logger, report);
      return report.ok ? 0 : 1;
    } finally {
      await project.close();
    }
  } finally {
    await stopSignals();
  }
}
