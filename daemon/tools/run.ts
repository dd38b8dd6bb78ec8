import { execa } from 'execa';

import { CancelledError, ToolError, ToolMissingError } from '../errors.ts';
import { BoundedOutput, firstMeaningfulLine, outputTail } from './output.ts';
import { reapWithUs } from './reaper.ts';

/**
 * One invocation of an external tool, as built by prisma.ts, sqlc.ts or goose.ts. Never a shell
 * line: `file` is executed directly with `args`.
 */
export interface ToolCommand {
  /** The program as the user knows it (`prisma`, `sqlc`, `goose`): names it in errors. */
  tool: string;
  /** What it was asked to do (`db pull`, `generate`), for messages: "prisma db pull failed". */
  action?: string;
  /** Absolute path of the executable (for a JS CLI: `process.execPath`). */
  file: string;
  args: string[];
  /** Added to the inherited environment. Secrets (database URLs) go here, never into `args`. */
  env?: Record<string, string>;
  /** How to get the tool when it is missing, ending the ToolMissingError message. */
  installHint?: string;
}

export interface ToolResult {
  stdout: string;
  stderr: string;
  durationMs: number;
  /** 0, or one of `acceptExitCodes`. */
  exitCode: number;
}

export interface RunToolOptions {
  cwd: string;
  /** Kill the tool (and everything it started) after this long; it then fails with timedOut. */
  timeoutMs: number;
  /** Aborting kills the tool's process group; runTool then rejects with CancelledError. */
  signal?: AbortSignal;
  /** Per stream; beyond it the middle of the output is dropped. Default 1 MiB. */
  maxOutputBytes?: number;
  /** Grace between SIGTERM and SIGKILL. Default 2 s. */
  forceKillAfterMs?: number;
  /**
   * Non-zero exit codes that are answers, not failures (`sqlc diff` exits 1 with the diff):
   * the result is returned with its `exitCode` instead of a ToolError.
   */
  acceptExitCodes?: number[];
}

const DEFAULT_MAX_OUTPUT = 1024 * 1024;
const DEFAULT_FORCE_KILL_AFTER = 2_000;

/** Process groups still running, killed if schemasync itself exits first. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Signals a process group (a child spawned `detached` and what it started); quiet when it is gone. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // Negative pid: the whole group, i.e. the tool and every process it spawned.
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
}

function commandName(command: ToolCommand): string {
  return command.action ? `${command.tool} ${command.action}` : command.tool;
}

/**
 * Runs a tool to completion and returns its output.
 *
 * The child starts in its own process group (`detached`), so a timeout, an abort or schemasync's
 * exit kills the tool together with its children (prisma forks its engines; a shell-less
 * grandchild would otherwise outlive us): SIGTERM to the group, SIGKILL after a grace period.
 * The group is also handed to the reaper (reaper.ts), which kills it should schemasync die by
 * SIGKILL mid-run.
 *
 * Rejects with ToolMissingError when `file` does not exist (ENOENT), CancelledError when `signal`
 * aborts (also if it already had), and ToolError for a non-zero exit, a signal, a timeout or any
 * other spawn failure. Output is bounded per stream (see `maxOutputBytes`).
 */
export async function runTool(command: ToolCommand, options: RunToolOptions): Promise<ToolResult> {
  const name = commandName(command);
  if (options.signal?.aborted) throw new CancelledError(`${name} was cancelled before it started`);
  const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const stdout = new BoundedOutput(maxBytes);
  const stderr = new BoundedOutput(maxBytes);
  const started = performance.now();

  const child = execa(command.file, command.args, {
    cwd: options.cwd,
    env: command.env ?? {},
    extendEnv: true,
    stdin: 'ignore',
    // Streams are read below into bounded buffers; execa must not keep its own copy.
    buffer: false,
    detached: true,
    // execa's cleanup only kills the direct child; liveGroups does the whole group instead.
    cleanup: false,
    reject: false,
    shell: false,
  });
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));

  const pid = child.pid;
  let stopReason: 'timeout' | 'cancel' | undefined;
  let forceKill: NodeJS.Timeout | undefined;
  const stop = (reason: 'timeout' | 'cancel') => {
    if (stopReason || pid === undefined) return;
    stopReason = reason;
    killGroup(pid, 'SIGTERM');
    forceKill = setTimeout(() => killGroup(pid, 'SIGKILL'), options.forceKillAfterMs ?? DEFAULT_FORCE_KILL_AFTER);
  };
  const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
  const onAbort = () => stop('cancel');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (pid !== undefined) {
    installExitHook();
    liveGroups.add(pid);
  }
  // The exit hook cannot run on a SIGKILL of schemasync: the reaper covers that.
  const unreap = reapWithUs(pid, { group: true });

  let result;
  try {
    result = await child;
  } finally {
    clearTimeout(timer);
    clearTimeout(forceKill);
    options.signal?.removeEventListener('abort', onAbort);
    if (pid !== undefined) {
      liveGroups.delete(pid);
      // Children that ignored SIGTERM must not outlive a stopped tool.
      if (stopReason) killGroup(pid, 'SIGKILL');
    }
    unreap();
  }

  const out: ToolResult = {
    stdout: stdout.toString(),
    stderr: stderr.toString(),
    durationMs: Math.round(performance.now() - started),
    exitCode: result.exitCode ?? 0,
  };
  if (stopReason === 'cancel') throw new CancelledError(`${name} was cancelled`);
  if (!result.failed && !stopReason) return out;
  if (!stopReason && result.exitCode !== undefined && options.acceptExitCodes?.includes(result.exitCode)) return out;

  const cause = result.cause;
  if ((cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' && pid === undefined) {
    throw new ToolMissingError(command.tool, command.installHint ?? `no executable at ${command.file}.`);
  }
  const details = {
    tool: command.tool,
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: stopReason === 'timeout',
    outputTail: outputTail(out.stdout, out.stderr),
  };
  const how = details.timedOut
    ? `timed out after ${options.timeoutMs} ms`
    : details.exitCode !== undefined
      ? `exit ${details.exitCode}`
      : details.signal
        ? `killed by ${details.signal}`
        : 'could not start';
  const line = firstMeaningfulLine(out.stdout, out.stderr) || (cause instanceof Error ? cause.message : '');
  throw new ToolError(`${name} failed (${how})${line ? `: ${line}` : ''}`, details, { cause });
}
