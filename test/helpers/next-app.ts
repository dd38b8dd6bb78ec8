import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freePort } from '../../daemon/util/ports.ts';
import { repoRoot } from './project.ts';

/**
 * The fixture Next.js 16 app (test/fixtures/next-app, its own lock file, installed by .ci/run):
 * `lib/prisma.ts` and the schema's generator as Prisma's Next.js guide writes them, for either
 * generator. A copy per test; node_modules hard-linked (the fixture's own is never written to:
 * prisma-client-js generates into node_modules/.prisma, which the fixture does not have).
 */
export const nextFixture = path.join(repoRoot, 'test', 'fixtures', 'next-app');

export type Generator = 'prisma-client-js' | 'prisma-client';
export type Bundler = 'turbopack' | 'webpack';

export function nextFixtureMissing(): string | undefined {
  if (!existsSync(path.join(nextFixture, 'node_modules', 'next', 'package.json'))) {
    return 'test/fixtures/next-app is not installed (npm ci --ignore-scripts --prefix test/fixtures/next-app)';
  }
  return undefined;
}

export interface NextApp {
  root: string;
  remove(): Promise<void>;
}

/** A copy of the fixture app for `generator`, with `.env` naming `databaseUrl` as goose and Prisma read it. */
export async function copyNextApp(generator: Generator, databaseUrl: string): Promise<NextApp> {
  const root = await mkdtemp(path.join(tmpdir(), `schemasync-next-${generator}-`));
  for (const entry of await readdir(nextFixture)) {
    if (['node_modules', 'variants', '.next', 'next-env.d.ts', 'tsconfig.tsbuildinfo'].includes(entry)) continue;
    await cp(path.join(nextFixture, entry), path.join(root, entry), { recursive: true });
  }
  const linked = spawnSync('cp', ['-al', path.join(nextFixture, 'node_modules'), path.join(root, 'node_modules')], { encoding: 'utf8' });
  if (linked.status !== 0) throw new Error(`cp -al node_modules failed: ${linked.stderr}`);
  const variant = path.join(nextFixture, 'variants', generator);
  await cp(path.join(variant, 'lib'), path.join(root, 'lib'), { recursive: true });
  await cp(path.join(variant, 'schema.prisma'), path.join(root, 'prisma', 'schema.prisma'));
  await writeFile(
    path.join(root, '.env'),
    `DATABASE_URL=${databaseUrl}\nGOOSE_DRIVER=postgres\nGOOSE_DBSTRING=${databaseUrl}\nGOOSE_MIGRATION_DIR=db/migrations\n`,
  );
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

export interface NextDev {
  child: ChildProcess;
  port: number;
  output(): string;
  url(route: string): string;
  stop(): Promise<void>;
}

/** `next dev` (Turbopack, Next 16's default, or `--webpack`) in its own process group. */
export async function startNextDev(root: string, bundler: Bundler): Promise<NextDev> {
  const port = await freePort();
  const args = [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'dev', '--port', String(port), ...(bundler === 'webpack' ? ['--webpack'] : [])];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'development', FORCE_COLOR: '0', CI: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    port,
    output: () => output,
    url: (route) => `http://127.0.0.1:${port}${route}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const group = (signal: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // Gone already.
        }
      };
      group('SIGTERM');
      const timer = setTimeout(() => group('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** One GET: the status and body, or the connection error's code. */
export async function get(url: string): Promise<{ status: number; body: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { status: 0, body: cause?.code ?? String(error) };
  }
}

/**
 * Polls `url` every `everyMs` until `good(answer)`; resolves with the ms from `since` to that
 * answer's arrival and the answers seen on the way (status → count), or rejects after `timeoutMs`.
 */
export async function firstGoodAnswer(
  url: string,
  good: (answer: { status: number; body: string }) => boolean,
  options: { since: number; timeoutMs: number; everyMs?: number },
): Promise<{ ms: number; seen: Record<string, number>; body: string }> {
  const seen: Record<string, number> = {};
  let last = '';
  while (performance.now() - options.since < options.timeoutMs) {
    const answer = await get(url);
    const at = performance.now();
    const key = answer.status === 0 ? answer.body : String(answer.status);
    seen[key] = (seen[key] ?? 0) + 1;
    last = `${answer.status} ${answer.body.slice(0, 300)}`;
    if (good(answer)) return { ms: at - options.since, seen, body: answer.body };
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 100));
  }
  throw new Error(`no good answer from ${url} within ${options.timeoutMs} ms; answers ${JSON.stringify(seen)}; last: ${last}`);
}
