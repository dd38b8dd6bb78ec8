import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { repoRoot } from './project.ts';

export const schemasyncBin = path.join(repoRoot, 'bin', 'schemasync.js');

/** One JSON log line of the daemon. */
export type LogEvent = Record<string, unknown> & { msg?: string; event?: string; level: number };

export interface DaemonProcess {
  child: ChildProcess;
  /** Every JSON line so far, in order. */
  events: LogEvent[];
  /** Non-JSON output (stderr, crashes), for failure messages. */
  text(): string;
  /** Resolves with the first event (past or future) matching `match`; rejects after `timeoutMs`. */
  waitFor(match: (event: LogEvent) => boolean, timeoutMs?: number, description?: string): Promise<LogEvent>;
  /** Number of runs finished so far. */
  runEnds(): LogEvent[];
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Starts `schemasync <args>` as a real process in `cwd` with JSON logs, and follows its log.
 * The process inherits the environment plus `env`.
 */
export function startSchemasync(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }): DaemonProcess {
  const child = spawn(process.execPath, [schemasyncBin, ...args, '--log-format', 'json'], {
    cwd: options.cwd,
    env: { ...process.env, LOG_LEVEL: 'debug', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: LogEvent[] = [];
  const other: string[] = [];
  const waiters = new Set<() => void>();
  const onLine = (line: string) => {
    try {
      events.push(JSON.parse(line) as LogEvent);
    } catch {
      other.push(line);
    }
    for (const check of waiters) check();
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  const exited = once(child, 'exit').then(([code]) => code as number | null);

  const text = () => [...other, ...events.map((e) => JSON.stringify(e))].join('\n');
  return {
    child,
    events,
    text,
    exited,
    runEnds: () => events.filter((e) => e.event === 'run:end'),
    waitFor(match, timeoutMs = 30_000, description = 'a log event') {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return;
          cleanup();
          resolve(found);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description}; log so far:\n${text()}`));
        }, timeoutMs);
        const onExit = () => {
          check();
          if (!waiters.has(check)) return;
          cleanup();
          reject(new Error(`schemasync exited while waiting for ${description}; log:\n${text()}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('exit', onExit);
        };
        waiters.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs a one-shot `schemasync` command to completion. */
export async function runSchemasync(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): Promise<{ code: number | null; events: LogEvent[]; stdout: string; output: string }> {
  const child = spawn(process.execPath, [schemasyncBin, ...args], {
    cwd: options.cwd,
    env: { ...process.env, LOG_FORMAT: 'json', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  const events = stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogEvent);
  return { code, events, stdout, output: `${stdout}\n${stderr}` };
}
