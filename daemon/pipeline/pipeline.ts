import path from 'node:path';

import { CancelledError, isSchemasyncError, toSchemasyncError, type SchemasyncError } from '../errors.ts';
import type { Logger } from '../log/types.ts';
import type { Changes } from './changes.ts';
import type { RunReport, StepReport } from './report.ts';

/** What a step says about itself when it did not fail. */
export interface StepOutcome {
  status: 'ok' | 'skipped';
  /** A few words for the log: "applied 2 migrations", "schema unchanged". */
  detail?: string;
}

/**
 * One step of a run. A step decides from the changes whether it has work (`skipReason`), does it,
 * and reports; it throws only SchemasyncErrors, which the pipeline turns into a failed step.
 */
export interface Step<S> {
  readonly name: string;
  /** Steps whose failure makes this one pointless (it is then skipped). */
  readonly dependsOn: readonly string[];
  /** Undefined when there is work to do; otherwise why not (logged at debug, shown as skipped). */
  skipReason(changes: Changes, state: S): string | undefined;
  run(changes: Changes, state: S, signal: AbortSignal): Promise<StepOutcome>;
}

/**
 * Runs stages in order; the steps of one stage run side by side (prisma ∥ sqlc). A failed step
 * marks its dependants skipped and the run goes on with what does not depend on it. Never
 * throws: the result is a RunReport.
 */
export class Pipeline<S> {
  private runs = 0;

  constructor(
    private readonly stages: ReadonlyArray<ReadonlyArray<Step<S>>>,
    private readonly options: {
      logger: Logger;
      projectRoot: string;
      /** Called as soon as a step fails (so its log line carries its own time), with the run's logger. */
      onFailure?: (step: string, error: SchemasyncError, logger: Logger) => void;
    },
  ) {}

  async run(changes: Changes, state: S, signal: AbortSignal): Promise<RunReport> {
    const id = ++this.runs;
    const logger = this.options.logger.child({ run: id });
    const startedAt = new Date();
    const started = performance.now();
    const trigger = changes.paths.map((p) => path.relative(this.options.projectRoot, p) || '.');
    logger.info({ event: 'run:start', trigger, full: changes.full }, startMessage(trigger, changes.full));

    const reports = new Map<string, StepReport>();
    for (const stage of this.stages) {
      await Promise.all(stage.map(async (step) => reports.set(step.name, await this.runStep(step, changes, state, signal, reports, logger))));
    }
    const steps = this.stages.flat().map((step) => reports.get(step.name)!);
    return { id, ok: steps.every((s) => s.status !== 'failed'), startedAt, durationMs: Math.round(performance.now() - started), trigger, steps };
  }

  private async runStep(step: Step<S>, changes: Changes, state: S, signal: AbortSignal, done: Map<string, StepReport>, logger: Logger): Promise<StepReport> {
    // Transitive: a step skipped because its own dependency failed blocks its dependants too.
    const dependency = step.dependsOn.map((name) => done.get(name)).find((dep) => dep?.status === 'failed' || dep?.blockedBy);
    const blockedBy = dependency && (dependency.blockedBy ?? dependency.name);
    const skipReason = signal.aborted ? 'shutting down' : blockedBy ? `${blockedBy} failed` : step.skipReason(changes, state);
    if (skipReason !== undefined) {
      logger.debug({ event: 'step:skip', step: step.name, reason: skipReason }, `${step.name} skipped: ${skipReason}`);
      return { name: step.name, status: 'skipped', durationMs: 0, detail: skipReason, ...(blockedBy ? { blockedBy } : {}) };
    }
    const started = performance.now();
    logger.info({ event: 'step:start', step: step.name }, 'started');
    try {
      const outcome = await step.run(changes, state, signal);
      const durationMs = Math.round(performance.now() - started);
      logger.info(
        { event: 'step:end', step: step.name, status: outcome.status, durationMs, detail: outcome.detail },
        outcome.detail ?? (outcome.status === 'ok' ? 'done' : 'nothing to do'),
      );
      return { name: step.name, status: outcome.status, durationMs, detail: outcome.detail };
    } catch (thrown) {
      const durationMs = Math.round(performance.now() - started);
      const error =
        signal.aborted && !isSchemasyncError(thrown) ? new CancelledError(`${step.name} cancelled`) : toSchemasyncError(thrown, 'unexpected error: ');
      logger.debug({ event: 'step:end', step: step.name, status: 'failed', durationMs }, `${step.name} failed`);
      this.options.onFailure?.(step.name, error, logger);
      return { name: step.name, status: 'failed', durationMs, error };
    }
  }
}

/** `change: a.sql, b.sql`, or for a full run `sync: checking everything` (naming the change that led to it, if any). */
function startMessage(trigger: string[], full: boolean): string {
  if (!full) return `change: ${trigger.join(', ')}`;
  return trigger.length === 0 ? 'sync: checking everything' : `change: ${trigger.join(', ')} (checking everything after the failed run)`;
}
