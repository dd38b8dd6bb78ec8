/** Messages between the daemon and its Prisma worker (node:child_process IPC). Types only. */

export type WorkerOp = 'pull' | 'generate';

/** What the worker is forked with, in argv[2] as JSON. No secrets: DATABASE_URL is in its env. */
export interface WorkerOptions {
  projectRoot: string;
  /** Absolute path of schema.prisma, or of a multi-file schema folder (Prisma reads either). */
  schema: string;
  /** Absolute path of prisma.config.ts, when the project has one. */
  configFile?: string | undefined;
}

/** `prefetch`: the daemon has just committed migrations to the database the worker pulls (no answer). */
export type ParentMessage = { type: 'run'; id: number; op: WorkerOp } | { type: 'prefetch' } | { type: 'close' };

export type WorkerMessage =
  /** Packages and config loaded, schema wasm warm: requests are served from now on. */
  | { type: 'ready'; version: string; rssBytes: number }
  /** The worker cannot serve this project (wrong engine, unsupported generator…): the CLI runs. */
  | { type: 'unsupported'; reason: string }
  /**
   * `spans`: milliseconds of each phase (in-process.ts); `reuse`: the generator's renderings reused
   * and rendered anew, or why none are reused (generator-memo.ts). For the debug log.
   */
  | { type: 'done'; id: number; ok: true; ms: number; rssBytes: number; spans: Record<string, number>; reuse?: Record<string, number> | string }
  | { type: 'done'; id: number; ok: false; ms: number; rssBytes: number; error: string };
