import { fstatSync } from 'node:fs';
import type { Socket } from 'node:net';

/**
 * How often the daemon asks for its parent's pid: one getppid() system call a second, on an
 * unref'd timer (nothing measurable in the benchmark's idle row).
 */
export const RUNNER_CHECK_MS = 1_000;

/**
 * The parent whose exit ends the daemon, or undefined when there is none worth watching: as PID
 * 1 (a container's init) the daemon has no parent, and one started by init (PID 1, or a
 * container's tini) has nothing to be reparented away from. Pure.
 */
export function parentToWatch(pid: number, ppid: number): number | undefined {
  if (pid === 1 || ppid <= 1) return undefined;
  return ppid;
}

/**
 * The runner is gone when the parent the daemon started with is no longer its parent: it exited
 * and the daemon was reparented (to init or to a subreaper). Pure.
 */
export function runnerGone(startParent: number | undefined, ppidNow: number): boolean {
  return startParent !== undefined && ppidNow !== startParent;
}

let startParent: number | undefined;

/**
 * Records the parent the process started under, as early as the command line allows: a runner
 * stopped while the daemon was still starting (opening databases, loading Prisma) has already
 * left by the time the watch begins, and the daemon must still see that it was reparented.
 */
export function noteStartParent(): void {
  // bin/schemasync.js read it before loading anything.
  const fromBin = (globalThis as Record<symbol, unknown>)[Symbol.for('schemasync.startParent')];
  startParent ??= typeof fromBin === 'number' ? fromBin : process.ppid;
}

/**
 * A stdin that ends this early in the daemon's life was never the runner's lifeline: nodemon, for
 * one, passes its own stdin on, and that is empty when nodemon's is /dev/null.
 */
export const STDIN_GRACE_MS = 5_000;

/** The end of a piped stdin means the runner is gone, unless it came at start-up. Pure. */
export function stdinEndMeansGone(uptimeMs: number): boolean {
  return uptimeMs >= STDIN_GRACE_MS;
}

/** stdin is a pipe or socket a runner holds (concurrently, an IDE), not a terminal or /dev/null. */
function stdinIsPipe(): boolean {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

/**
 * Calls `onGone` once when the process that started the daemon exits: its parent changes (npm,
 * npx or a shell ended and the daemon was reparented), or stdin, a pipe from the runner, reaches
 * its end (after start-up: see STDIN_GRACE_MS). npm and sh do not pass a SIGTERM on to the daemon, so this is how it learns that
 * whoever ran it has stopped. Neither the timer nor stdin keeps the process alive. Returns the
 * function that stops watching.
 */
export function watchRunner(onGone: () => void): () => void {
  let done = false;
  const gone = () => {
    if (done) return;
    done = true;
    stop();
    onGone();
  };
  const parent = parentToWatch(process.pid, startParent ?? process.ppid);
  const check = () => runnerGone(parent, process.ppid) && gone();
  const timer = parent === undefined ? undefined : setInterval(check, RUNNER_CHECK_MS);
  timer?.unref();
  // Gone already (during start-up): said on the next turn, once the caller holds the returned stop.
  setTimeout(check, 0).unref();

  // Read (and dropped) only to see the end: schemasync takes no input. A terminal is left alone
  // (reading it from a background job would stop the process).
  const stdin = stdinIsPipe() ? (process.stdin as Socket) : undefined;
  const ignore = () => undefined;
  const ended = () => stdinEndMeansGone(process.uptime() * 1000) && gone();
  if (stdin) {
    stdin.on('data', ignore);
    stdin.once('end', ended);
    stdin.once('error', ended);
    stdin.unref();
  }

  function stop() {
    clearInterval(timer);
    if (!stdin) return;
    stdin.off('data', ignore);
    stdin.off('end', ended);
    stdin.off('error', ended);
    stdin.pause();
  }
  return () => {
    done = true;
    stop();
  };
}
