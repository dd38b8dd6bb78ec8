import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

import type { Config, TargetName } from '../config/types.ts';
import { sleep } from '../util/sleep.ts';

/**
 * One `schemasync watch` per project and database: the daemon holds
 * `.schemasync/watch-<key>.pid` (created with O_EXCL) while it runs. The key is a hash of the
 * databases it migrates (passwords left out), so a second daemon of the same project on another
 * database is free to run. A file whose process is gone (the daemon was SIGKILLed) is stale and
 * taken over; so is one whose pid now belongs to another process (a container restarted, pids
 * reused), told apart by the process's start time.
 */

interface Holder {
  pid: number;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat), where there is one. */
  start?: string;
}

export type LockResult = { ok: true; release(): void } | { ok: false; holder: number };

/** How long --replace waits for the running daemon to stop (its own shutdown gives up at 10 s). */
const REPLACE_WAIT_MS = 15_000;

/** The databases this daemon writes to, passwords removed. Pure. */
export function lockKey(config: Pick<Config, 'targets' | TargetName>): string {
  const where = config.targets.map((name) => `${name}=${withoutPassword(config[name].url) ?? 'embedded'}`).join('\n');
  return createHash('sha256').update(where).digest('hex').slice(0, 12);
}

function withoutPassword(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return createHash('sha256').update(url).digest('hex');
  }
}

export function lockFile(projectRoot: string, key: string): string {
  return path.join(projectRoot, '.schemasync', `watch-${key}.pid`);
}

/** The start time of process `pid` (field 22 of /proc/<pid>/stat), undefined off Linux. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The holder is a live process, and the same one that wrote the file. */
export function isLive(holder: Holder): boolean {
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it exists (another user's process).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = startTimeOf(holder.pid);
  return holder.start === undefined || start === undefined || start === holder.start;
}

function readHolder(file: string): Holder | undefined {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Holder;
    return Number.isInteger(holder.pid) && holder.pid > 0 ? holder : undefined;
  } catch {
    return undefined;
  }
}

function tryCreate(file: string, holder: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Moves a stale file aside, unless it is no longer the one judged stale (another starting daemon
 * took it over in between: then it goes back).
 */
function removeStale(file: string, stale: Holder | undefined): void {
  const aside = `${file}.stale-${process.pid}`;
  try {
    renameSync(file, aside);
  } catch {
    return;
  }
  const moved = readHolder(aside);
  if (moved && moved.pid !== stale?.pid && isLive(moved)) renameSync(aside, file);
  else unlinkSync(aside);
}

/**
 * Takes the project's daemon lock, or says which pid holds it. With `replace`, a running daemon
 * is sent SIGTERM and waited for (it stops as on any SIGTERM), and the lock is then taken.
 * `onReplace` is told the pid first, to log it. The lock is released by `release()` and, should
 * the daemon exit another way (a forced exit), by an exit hook; a SIGKILL leaves a stale file.
 */
export async function takeDaemonLock(
  projectRoot: string,
  key: string,
  options: { replace?: boolean; onReplace?: (pid: number) => void } = {},
): Promise<LockResult> {
  const file = lockFile(projectRoot, key);
  mkdirSync(path.dirname(file), { recursive: true });
  const me: Holder = { pid: process.pid, start: startTimeOf(process.pid) };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file, me)) return { ok: true, release: holdUntilExit(file) };
    const holder = readHolder(file);
    if (holder && isLive(holder)) {
      if (!options.replace) return { ok: false, holder: holder.pid };
      options.onReplace?.(holder.pid);
      await stopHolder(holder);
      if (isLive(holder)) return { ok: false, holder: holder.pid };
    }
    // A file just created and not yet written is another daemon starting this very moment.
    if (!holder && justCreated(file)) {
      await sleep(200);
      continue;
    }
    // Stale, unreadable (a daemon killed as it wrote it), or just released.
    removeStale(file, holder);
  }
  const holder = readHolder(file);
  return { ok: false, holder: holder?.pid ?? 0 };
}

function justCreated(file: string): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs < 2_000;
  } catch {
    return false;
  }
}

async function stopHolder(holder: Holder): Promise<void> {
  try {
    process.kill(holder.pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let waited = 0; waited < REPLACE_WAIT_MS && isLive(holder); waited += 100) await sleep(100);
}

function holdUntilExit(file: string): () => void {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    // Only our own file: a --replace may have taken it over since.
    if (readHolder(file)?.pid !== process.pid) return;
    try {
      unlinkSync(file);
    } catch {
      // Already gone.
    }
  };
  process.on('exit', release);
  return release;
}
