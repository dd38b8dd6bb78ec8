/**
 * The embedded server's neighbours on this machine (embedded.ts): the postmaster that a data
 * folder's `postmaster.pid` names, and the loopback port it listens on.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { Logger } from '../../log/types.ts';
import { freePort, isPortFree } from '../../util/ports.ts';

/**
 * Reads `postmaster.pid` (line 1 pid, line 4 port). A live process whose command line names this
 * folder is a running server; anything else is stale — left by a killed run, possibly with its
 * pid since reused by another process, which PostgreSQL itself would mistake for a live server —
 * and is removed.
 */
export async function runningPostmaster(pgdata: string, logger: Logger): Promise<{ pid: number; port: number } | undefined> {
  const pidFile = join(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (Number.isInteger(pid) && pid > 0 && Number.isInteger(port) && (await isPostmasterOf(pid, pgdata))) {
    return { pid, port };
  }
  logger.debug({ pidFile, pid }, 'removing a stale postmaster.pid left by a previous run');
  await rm(pidFile, { force: true });
  return undefined;
}

async function isPostmasterOf(pid: number, pgdata: string): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return commandLine.some((arg) => arg.includes('postgres')) && commandLine.includes(pgdata);
  } catch {
    // No /proc (macOS): trust the liveness check.
    return true;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (the `postgres` user when we are not root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The wanted port when it is free, else any free loopback port. */
export async function choosePort(wanted: number | undefined): Promise<number> {
  if (wanted !== undefined && (await isPortFree(wanted))) return wanted;
  return freePort();
}

export async function readPostmasterPid(pgdata: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(join(pgdata, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
