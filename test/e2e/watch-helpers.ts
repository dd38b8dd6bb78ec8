import { readFileSync, readdirSync } from 'node:fs';

import type { DaemonProcess, LogEvent } from '../helpers/daemon.ts';

/**
 * Helpers shared by the watch e2e tests: following runs in a daemon's JSON log, and the process
 * tree of a daemon (to prove no child outlives it).
 */

/** A finished run: its `run:start` and `run:end` events. */
export interface FinishedRun {
  start: LogEvent;
  end: LogEvent;
}

/**
 * Waits for the first run that starts at or after event index `fromIndex` and whose `run:start`
 * matches `match` (default: any), then for its `run:end`.
 */
export async function nextRun(
  daemon: DaemonProcess,
  fromIndex: number,
  match: (start: LogEvent) => boolean = () => true,
  timeoutMs = 45_000,
): Promise<FinishedRun> {
  const start = await daemon.waitFor((e) => e.event === 'run:start' && daemon.events.indexOf(e) >= fromIndex && match(e), timeoutMs, 'a matching run:start');
  const end = await daemon.waitFor((e) => e.event === 'run:end' && e.run === start.run, timeoutMs, `run:end of run ${String(start.run)}`);
  return { start, end };
}

/** Does this run:start name `relativePath` among its trigger paths? */
export const triggeredBy = (relativePath: string) => (start: LogEvent) => Array.isArray(start.trigger) && (start.trigger as string[]).includes(relativePath);

/** The status of each step of a run:end event, by name. */
export function stepStatuses(end: LogEvent): Record<string, string> {
  const steps = end.steps as Array<{ name: string; status: string }>;
  return Object.fromEntries(steps.map((step) => [step.name, step.status]));
}

/**
 * Throws unless runs never overlap: every run:start is followed by its run:end before the next
 * run:start.
 */
export function assertRunsNeverOverlap(events: LogEvent[]): number {
  let active: number | undefined;
  let runs = 0;
  for (const event of events) {
    if (event.event === 'run:start') {
      if (active !== undefined) throw new Error(`run ${String(event.run)} started while run ${String(active)} was still going`);
      active = Number(event.run);
      runs++;
    } else if (event.event === 'run:end') {
      if (active !== Number(event.run)) throw new Error(`run:end of run ${String(event.run)} without its run:start (active: ${String(active)})`);
      active = undefined;
    }
  }
  return runs;
}

/** A process: its pid and start time (so a reused pid is not mistaken for it). */
export interface ProcessId {
  pid: number;
  startTime: string;
  command: string;
}

function readStat(pid: number): { ppid: number; startTime: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its closing ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), startTime: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Every live descendant of `root` (children, grandchildren…), read from /proc. */
export function descendantsOf(root: number): ProcessId[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const found: ProcessId[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const stat = readStat(pid);
    if (stat) found.push({ pid, startTime: stat.startTime, command: commandOf(pid) });
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Is this very process (same pid and start time) still alive? Zombies count as gone. */
export function stillAlive(process: ProcessId): boolean {
  try {
    const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return readStat(process.pid)?.startTime === process.startTime && state !== 'Z';
  } catch {
    return false;
  }
}

export { freePort } from '../../daemon/util/ports.ts';

/** Polls `check` every 50 ms until it returns a value other than undefined. */
export async function pollUntil<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, description: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
