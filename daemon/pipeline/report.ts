import type { SchemasyncError } from '../errors.ts';

/**
 * The outcome of one pipeline run, and its two outward forms: the `run:end` event (JSON log,
 * /status) and the one-line summary of the pretty log. Pure: no I/O, no clock.
 */

export type StepStatus = 'ok' | 'skipped' | 'failed';

export interface StepReport {
  name: string;
  status: StepStatus;
  durationMs: number;
  /** What the step did, in a few words: "applied 2 migrations", "schema unchanged". */
  detail?: string;
  /** Set when `status` is `failed`. */
  error?: SchemasyncError;
  /** Skipped because this step (directly or through another skipped step) failed. */
  blockedBy?: string;
}

export interface RunReport {
  /** 1, 2, 3… per daemon process. */
  id: number;
  /** True when no step failed. */
  ok: boolean;
  startedAt: Date;
  durationMs: number;
  /** The changed paths that caused the run, relative to the project root. */
  trigger: string[];
  steps: StepReport[];
}

export interface RunEndEvent {
  event: 'run:end';
  ok: boolean;
  durationMs: number;
  steps: Array<{ name: string; status: StepStatus; durationMs: number }>;
}

/** The structured `run:end` log event: exactly these fields, in this order. */
export function runEndEvent(report: RunReport): RunEndEvent {
  return {
    event: 'run:end',
    ok: report.ok,
    durationMs: report.durationMs,
    steps: report.steps.map(({ name, status, durationMs }) => ({ name, status, durationMs })),
  };
}

/**
 * One line for the pretty log, e.g.
 * `✔ synced in 1.84 s · validate 3 ms · apply 412 ms (2 migrations) · prisma 1.21 s · sqlc 190 ms`
 * or `✖ failed in 230 ms · apply failed: <first line of the error>`. Skipped steps are left out of
 * a success line (they did nothing worth timing); on failure only the failed steps are named,
 * since the steps before them already appeared in the log.
 */
export function summarizeRun(report: RunReport): string {
  if (report.ok) {
    const steps = report.steps.filter((step) => step.status === 'ok').map(describeOkStep);
    return [`✔ synced in ${formatDuration(report.durationMs)}`, ...steps].join(' · ');
  }
  const failures = report.steps.filter((step) => step.status === 'failed').map(describeFailedStep);
  return [`✖ failed in ${formatDuration(report.durationMs)}`, ...failures].join(' · ');
}

function describeOkStep(step: StepReport): string {
  const detail = step.detail ? ` (${shortDetail(step.detail)})` : '';
  return `${step.name} ${formatDuration(step.durationMs)}${detail}`;
}

function describeFailedStep(step: StepReport): string {
  const reason = step.error?.message ?? step.detail ?? 'unknown error';
  return `${step.name} failed: ${firstLine(reason)}`;
}

/** "applied 2 migrations" reads as "2 migrations" inside the parentheses of a summary. */
function shortDetail(detail: string): string {
  return firstLine(detail).replace(/^applied /, '');
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.trim();
}

/** `3 ms`, `412 ms`, `1.84 s`, `12.3 s`, `2 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}
