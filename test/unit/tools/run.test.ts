import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

import { describe, expect, it } from 'vitest';

import { isSchemasyncError, type CancelledError, type ToolError, type ToolMissingError } from '../../../daemon/errors.ts';
import { runTool, type ToolCommand } from '../../../daemon/tools/run.ts';

const fixtures = fileURLToPath(new URL('../../fixtures/bin/', import.meta.url));
const cwd = process.cwd();

function fixture(name: string, args: string[] = [], env?: Record<string, string>): ToolCommand {
  return { tool: name, action: 'run', file: `${fixtures}${name}.mjs`, args, ...(env ? { env } : {}) };
}

/** Whether `pid` still runs (a zombie waiting to be reaped by init counts as gone). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Polls briefly: a SIGKILLed process disappears asynchronously. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 40 && running(pid); i++) await sleep(50);
  return !running(pid);
}

async function rejection<T extends Error>(promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (error) {
    return error as T;
  }
  throw new Error('expected the promise to reject');
}

function pidsIn(text: string): [number, number] {
  const match = /pids (\d+) (\d+)/.exec(text);
  if (!match) throw new Error(`no pids in: ${text}`);
  return [Number(match[1]), Number(match[2])];
}

describe('runTool', () => {
  it('returns stdout and stderr, passing arguments verbatim and env only to the child', async () => {
    const result = await runTool(fixture('echo', ['a b', '$HOME', ';ls'], { ECHO_ENV: 'secret' }), { cwd, timeoutMs: 10_000 });
    expect(result.stdout).toBe('a b $HOME ;ls\n');
    expect(result.stderr).toBe('env:secret\n');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(process.env.ECHO_ENV).toBeUndefined();
  });

  it('turns a non-zero exit into a ToolError naming the tool, the exit code and the error line', async () => {
    const error = await rejection<ToolError>(runTool(fixture('fail'), { cwd, timeoutMs: 10_000 }));
    expect(isSchemasyncError(error)).toBe(true);
    expect(error.code).toBe('TOOL');
    expect(error.message).toBe('fail run failed (exit 3): Error: P1001: the database went away');
    expect(error.details).toMatchObject({ tool: 'fail', exitCode: 3, timedOut: false });
    expect(error.details.outputTail).toBe('Loading schema...\nwarning: something minor\nError: P1001: the database went away\n  at line 12');
  });

  it('reports a missing executable as ToolMissingError with the install hint', async () => {
    const command: ToolCommand = { tool: 'sqlc', file: '/nonexistent/sqlc', args: [], installHint: 'install sqlc.' };
    const error = await rejection<ToolMissingError>(runTool(command, { cwd, timeoutMs: 10_000 }));
    expect(error.code).toBe('TOOL_MISSING');
    expect(error.message).toBe('sqlc not found; install sqlc.');
  });

  it('kills the tool and its grandchild on timeout', async () => {
    const error = await rejection<ToolError>(runTool(fixture('hang'), { cwd, timeoutMs: 700, forceKillAfterMs: 300 }));
    expect(error.code).toBe('TOOL');
    expect(error.details.timedOut).toBe(true);
    expect(error.message).toMatch(/^hang run failed \(timed out after 700 ms\)/);
    const [child, grandchild] = pidsIn(error.details.outputTail);
    expect(await gone(child)).toBe(true);
    expect(await gone(grandchild)).toBe(true);
  });

  it('cancels with the AbortSignal, escalating to SIGKILL for processes that ignore SIGTERM', async () => {
    const pidsFile = join(mkdtempSync(join(tmpdir(), 'schemasync-run-')), 'pids');
    const controller = new AbortController();
    const pending = runTool(fixture('hang', ['--ignore-term'], { HANG_PIDS_FILE: pidsFile }), {
      cwd,
      timeoutMs: 30_000,
      signal: controller.signal,
      forceKillAfterMs: 300,
    });
    while (!existsSync(pidsFile)) await sleep(50);
    controller.abort();
    const error = await rejection<CancelledError>(pending);
    expect(error.code).toBe('CANCELLED');
    expect(error.message).toBe('hang run was cancelled');
    const [child, grandchild] = pidsIn(readFileSync(pidsFile, 'utf8'));
    expect(await gone(child)).toBe(true);
    expect(await gone(grandchild)).toBe(true);
  });

  it('rejects at once when the signal has already aborted', async () => {
    const error = await rejection<CancelledError>(runTool(fixture('echo'), { cwd, timeoutMs: 10_000, signal: AbortSignal.abort() }));
    expect(error.code).toBe('CANCELLED');
  });

  it('bounds output: 50 MiB in, head and tail of at most maxOutputBytes kept', async () => {
    const result = await runTool(fixture('flood'), { cwd, timeoutMs: 60_000, maxOutputBytes: 64 * 1024 });
    expect(Buffer.byteLength(result.stdout)).toBeLessThan(64 * 1024 + 100);
    expect(result.stdout).toMatch(/^x{1023}\n/);
    expect(result.stdout).toMatch(/\n… \d+ bytes omitted …\n/);
    expect(result.stdout.endsWith('last line\n')).toBe(true);
  });
});
