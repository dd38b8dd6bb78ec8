import { fork, type ChildProcess } from 'node:child_process';

import type { Logger } from '../../log/types.ts';
import { prismaEnv } from '../prisma.ts';
import { reapWithUs } from '../reaper.ts';
import { killGroup } from '../run.ts';
import type { ParentMessage, WorkerMessage, WorkerOp, WorkerOptions } from './protocol.ts';
import { heapForSchemaMb, INITIAL_HEAP_MB, mb, nextHeapMb, ranOutOfHeap, recycleBoundBytes } from './heap.ts';
import { childCommand, schemaBytes, stamp } from './spawn.ts';
import { checkWarmSupport } from './support.ts';

/** Resident memory past which the worker is replaced after its request (it holds ~220 MB warm). */
export const DEFAULT_MEMORY_LIMIT_BYTES = 512 * 2 ** 20;
/** Crashes in a row (no request served between them) after which the worker stays off. */
const MAX_CRASHES = 3;

export interface PrismaWorkerSetup {
  projectRoot: string;
  /** The project's prisma CLI entry: the worker's packages must be at its version. */
  cli: string;
  schema: string;
  configFile?: string | undefined;
  /** Given to the worker as DATABASE_URL in its environment only. */
  databaseUrl: string;
  logger: Logger;
  memoryLimitBytes?: number;
  /** The worker's first V8 heap bound (heap.ts); by default the schema's need; tests start it small. */
  heapMb?: number;
}

/** Served by the worker, or not (the reason), in which case the caller runs the CLI. */
export type WorkerOutcome =
  { served: true; ms: number; spans?: Record<string, number>; reuse?: Record<string, number> | string | undefined } | { served: false; reason: string };

interface Live {
  child: ChildProcess;
  /** true once 'ready', false when it will never be (unsupported, exited). */
  ready: Promise<boolean>;
  configStamp: string | undefined;
  /** The request it is serving. */
  pending?: { id: number; resolve(outcome: WorkerOutcome): void };
  isReady: boolean;
  stopping: boolean;
}

const ACTION: Record<WorkerOp, string> = { pull: 'db pull', generate: 'generate' };

/**
 * The daemon's side of the warm Prisma worker (child.ts): forks it, sends it `db pull` and
 * `generate`, restarts it after a crash, replaces it when prisma.config.ts changes or its memory
 * passes the bound. Whenever it cannot answer, `run` says why and the caller runs the CLI.
 */
export class PrismaWorker {
  private live: Live | undefined;
  private off: string | undefined;
  private nextId = 1;
  private crashes = 0;
  private closed = false;
  private announced = false;
  private limit: number;
  private heapMb: number;

  private constructor(private readonly setup: PrismaWorkerSetup) {
    this.heapMb = setup.heapMb ?? INITIAL_HEAP_MB;
    this.limit = recycleBoundBytes(this.heapMb, setup.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES);
  }

  /**
   * The worker for this project, or undefined when its packages are missing or at another version
   * than the CLI (the start-up summary says why and which command enables it).
   */
  static create(setup: PrismaWorkerSetup): PrismaWorker | undefined {
    // Said in the daemon's start-up summary (the prisma row), with the command that enables it.
    const support = checkWarmSupport(setup.projectRoot, setup.cli);
    if (!support.ok) return undefined;
    return new PrismaWorker(setup);
  }

  /** The worker's process id (tests kill it); undefined when none runs. */
  get pid(): number | undefined {
    return this.live?.child.pid;
  }

  /** Forks and warms the worker; resolves true once it serves, false when it cannot. */
  start(): Promise<boolean> {
    if (this.off !== undefined || this.closed) return Promise.resolve(false);
    this.live ??= this.spawn();
    return this.live.ready;
  }

  /** The daemon has just changed the database it pulls: a hint to start the pull's slow queries. */
  prefetch(): void {
    // A channel closing meanwhile fails the send (into the callback): its exit restarts the worker.
    if (this.live?.isReady && this.live.child.connected) this.live.child.send({ type: 'prefetch' } satisfies ParentMessage, () => {});
  }

  /** Runs `op` in the worker. Never throws for the worker's own failures: the outcome says why. */
  async run(op: WorkerOp, signal: AbortSignal, timeoutMs: number): Promise<WorkerOutcome> {
    if (this.off !== undefined) return { served: false, reason: this.off };
    if (this.live && this.live.configStamp !== stamp(this.setup.configFile)) {
      this.setup.logger.info({ event: 'prisma-worker:reload' }, 'prisma.config.ts changed: reloading the Prisma worker');
      await this.retire(this.live);
    }
    // A worker still starting (just restarted) is waited for, as long as the request would be.
    const ready = await this.readyWithin(signal, timeoutMs);
    if (ready !== true) return { served: false, reason: ready };
    const live = this.live;
    if (!live) return { served: false, reason: 'the Prisma worker is not running' };
    signal.throwIfAborted();

    const outcome = await new Promise<WorkerOutcome>((resolve) => {
      const id = this.nextId++;
      const finish = (result: WorkerOutcome) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        live.pending = undefined;
        resolve(result);
      };
      // Cancelled (shutdown): the request cannot be, so the worker goes; the next run starts one.
      const onAbort = () => {
        live.stopping = true;
        if (this.live === live) this.live = undefined;
        this.kill(live);
        finish({ served: false, reason: 'cancelled' });
      };
      const timer = setTimeout(() => {
        this.kill(live);
        finish({ served: false, reason: `the Prisma worker did not finish ${ACTION[op]} in ${timeoutMs} ms` });
      }, timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      live.pending = { id, resolve: finish };
      try {
        live.child.send({ type: 'run', id, op } satisfies ParentMessage);
      } catch (error) {
        // The channel closed under us: its exit restarts the worker.
        finish({ served: false, reason: `the Prisma worker could not be reached: ${error instanceof Error ? error.message : String(error)}` });
      }
    });
    signal.throwIfAborted();
    return outcome;
  }

  /** true once the worker serves, else why not (off, stopped, or not ready in time: then killed). */
  private async readyWithin(signal: AbortSignal, timeoutMs: number): Promise<true | string> {
    const starting = this.start();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
      onAbort = () => resolve('late');
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const ready = await Promise.race([starting, late]);
      if (ready === true) return true;
      if (ready === 'late') {
        if (this.live) this.kill(this.live);
        signal.throwIfAborted();
        return `the Prisma worker was not ready within ${timeoutMs} ms`;
      }
      return this.off ?? 'the Prisma worker is not running';
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /** Stops the worker (at daemon shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.live) await this.retire(this.live);
  }

  private spawn(): Live {
    const { projectRoot, schema, configFile, databaseUrl } = this.setup;
    const options: WorkerOptions = { projectRoot, schema, configFile };
    // At least what the schema needs (it may have grown since the last start), unless set.
    const needed = this.setup.heapMb ?? heapForSchemaMb(schemaBytes(schema));
    if (needed > this.heapMb) [this.heapMb, this.limit] = [needed, recycleBoundBytes(needed, this.setup.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES)];
    const { entry, execArgv } = childCommand(this.heapMb);
    const child = fork(entry, [JSON.stringify(options)], {
      cwd: projectRoot,
      env: { ...process.env, ...prismaEnv({ databaseUrl }) },
      execArgv,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
      // Its own group (a Ctrl-C reaches the daemon, which retires it); the reaper kills it on a SIGKILL.
      detached: true,
    });
    const unreap = reapWithUs(child.pid, { group: true });
    let stderr = '';
    let outOfHeap = false;
    // Prisma's and Node's warnings (e.g. MaxListenersExceededWarning) reach the debug log.
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
      // Its own flag: V8's native stack trace after the line would push it out of the tail.
      outOfHeap ||= ranOutOfHeap(chunk);
      for (const line of chunk.split('\n')) if (line.trim()) this.setup.logger.debug({ event: 'prisma-worker:stderr' }, line.slice(0, 500));
    });
    let settle!: (ready: boolean) => void;
    const live: Live = { child, ready: new Promise((resolve) => (settle = resolve)), configStamp: stamp(configFile), isReady: false, stopping: false };

    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') {
        live.isReady = true;
        // The first time it is said at info: the start-up summary could only say it was starting.
        const fields = { event: 'prisma-worker:ready', version: message.version, workerPid: child.pid, rssMB: mb(message.rssBytes) };
        if (this.announced) this.setup.logger.debug(fields, `Prisma worker ready (prisma ${message.version})`);
        else this.setup.logger.info(fields, `Prisma worker ready: db pull and generate run warm, in-process (prisma ${message.version})`);
        this.announced = true;
        settle(true);
      } else if (message.type === 'unsupported') {
        // It exits by itself; nothing to restart.
        live.stopping = true;
        if (this.live === live) this.live = undefined;
        this.turnOff(message.reason);
        settle(false);
      } else if (live.pending?.id === message.id) {
        if (message.ok) this.crashes = 0;
        live.pending.resolve(
          message.ok
            ? { served: true, ms: message.ms, spans: message.spans, reuse: message.reuse }
            : { served: false, reason: `the Prisma worker's ${message.error}` },
        );
        if (message.rssBytes > this.limit) {
          this.setup.logger.info(
            { event: 'prisma-worker:recycle', rssMB: mb(message.rssBytes), limitMB: mb(this.limit) },
            `Prisma worker at ${mb(message.rssBytes)} MB (bound ${mb(this.limit)} MB): replacing it`,
          );
          void this.retire(live).then(() => void this.start());
        }
      }
    });
    child.on('error', () => {
      // Reported by 'exit' (or by the failed send it came from).
    });
    child.on('exit', (code, signal) => {
      unreap();
      settle(false);
      if (this.live === live) this.live = undefined;
      if (live.stopping || this.off !== undefined) return;
      const how = signal ?? `exit ${code}`;
      const inFlight = live.pending !== undefined;
      live.pending?.resolve({ served: false, reason: `the Prisma worker stopped (${how})` });
      const heapMb = nextHeapMb(this.heapMb, outOfHeap);
      if (heapMb !== this.heapMb) {
        // Out of heap on this schema: not a crash to count, a bound to raise.
        this.setup.logger.info(
          { event: 'prisma-worker:heap', heapMB: heapMb },
          `Prisma worker out of heap (${this.heapMb} MB): restarting it with ${heapMb} MB`,
        );
        [this.heapMb, this.limit] = [heapMb, recycleBoundBytes(heapMb, this.setup.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES)];
        if (!this.closed) void this.start();
        return;
      }
      this.crashes += 1;
      if (this.crashes >= MAX_CRASHES) {
        this.turnOff(`the worker stopped ${this.crashes} times in a row (last: ${how}${stderr ? `: ${lastLine(stderr)}` : ''})`);
        return;
      }
      this.setup.logger.warn(
        { event: 'prisma-worker:crash', how, stderr: lastLine(stderr) || undefined },
        `Prisma worker stopped (${how})${inFlight ? ': this run uses the CLI' : ''}; restarting it`,
      );
      if (!this.closed) void this.start();
    });
    return live;
  }

  private turnOff(reason: string): void {
    if (this.off !== undefined) return;
    this.off = reason;
    this.setup.logger.info({ event: 'prisma-worker:off', reason }, `Prisma runs through its CLI: ${reason}`);
  }

  /** The worker's whole process group: a generator it started goes with it. */
  private kill(live: Live): void {
    if (live.child.pid !== undefined) killGroup(live.child.pid, 'SIGKILL');
  }

  /**
   * An idle, ready worker is asked to close its connection and exit (killed if it has not within
   * 2 s); one still loading or busy is killed at once: nothing it does is worth waiting for.
   */
  private async retire(live: Live): Promise<void> {
    live.stopping = true;
    if (this.live === live) this.live = undefined;
    if (live.child.exitCode !== null || live.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => live.child.once('exit', () => resolve()));
    if (live.child.connected && live.isReady && !live.pending) live.child.send({ type: 'close' } satisfies ParentMessage);
    else this.kill(live);
    const timer = setTimeout(() => this.kill(live), 2000);
    await exited;
    clearTimeout(timer);
  }
}

const lastLine = (text: string): string => text.trim().split('\n').at(-1) ?? '';
