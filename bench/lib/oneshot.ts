import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { schemasyncBin } from '../../test/helpers/daemon.ts';
import { repoRoot } from '../../test/helpers/project.ts';
import { createDatabaseOn } from '../../test/helpers/sql.ts';
import { writeScaleMigrations } from './migrations.ts';
import type { BenchServers } from './servers.ts';
import { GOOSE_BIN } from './sides.ts';

export interface OneShotResult {
  /** `status` with nothing to do on the example project's folder, per side, in ms. */
  status: Record<'goose' | 'schemasync' | 'node', number[]>;
  /** `up` from an empty database on a folder of `upCount` migrations, per side, in ms. */
  up: Record<'goose' | 'schemasync', number[]>;
  upCount: number;
}

/**
 * The one-shot commands against goose's, each a fresh process as a script runs them, rounds
 * alternating: `status` on the example folder and `up` of `upCount` migrations from empty (a new
 * database per side and round). `node -e 0` is timed too: the floor of any Node program.
 */
export async function oneShotCommands(servers: BenchServers, rounds: number, upCount: number): Promise<OneShotResult> {
  const work = await mkdtemp(path.join(tmpdir(), 'schemasync-bench-oneshot-'));
  try {
    const example = path.join(work, 'example');
    await cp(path.join(repoRoot, 'migrations', 'postgres'), path.join(example, 'migrations', 'postgres'), { recursive: true });
    const large = path.join(work, 'large');
    await mkdir(path.join(large, 'migrations', 'postgres'), { recursive: true });
    await writeScaleMigrations(path.join(large, 'migrations', 'postgres'), upCount);

    const result: OneShotResult = { status: { goose: [], schemasync: [], node: [] }, up: { goose: [], schemasync: [] }, upCount };
    const statusDbs = {
      goose: await createDatabaseOn(servers.postgresAdminUrl, 'bench_os_goose'),
      schemasync: await createDatabaseOn(servers.postgresAdminUrl, 'bench_os_ss'),
    };
    try {
      timed(GOOSE_BIN, gooseArgs(statusDbs.goose.url, 'up'), example);
      timed(process.execPath, [schemasyncBin, 'up', '--database-url', statusDbs.schemasync.url], example);
      for (let round = 0; round < rounds * 4; round++) {
        result.status.goose.push(timed(GOOSE_BIN, gooseArgs(statusDbs.goose.url, 'status'), example));
        result.status.schemasync.push(timed(process.execPath, [schemasyncBin, 'status', '--database-url', statusDbs.schemasync.url], example));
        result.status.node.push(timed(process.execPath, ['-e', '0'], example));
      }
    } finally {
      await Promise.all(Object.values(statusDbs).map((db) => db.drop()));
    }
    for (let round = 0; round < rounds * 2; round++) {
      const goose = await createDatabaseOn(servers.postgresAdminUrl, 'bench_ou_goose');
      const schemasync = await createDatabaseOn(servers.postgresAdminUrl, 'bench_ou_ss');
      try {
        result.up.goose.push(timed(GOOSE_BIN, gooseArgs(goose.url, 'up'), large));
        result.up.schemasync.push(timed(process.execPath, [schemasyncBin, 'up', '--database-url', schemasync.url], large));
      } finally {
        await Promise.all([goose.drop(), schemasync.drop()]);
      }
    }
    return result;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function gooseArgs(url: string, command: string): string[] {
  const dsn = new URL(url);
  if (!dsn.searchParams.has('sslmode')) dsn.searchParams.set('sslmode', 'disable');
  return ['-dir', 'migrations/postgres', 'postgres', dsn.toString(), command];
}

/** Wall time of a command run to completion, in ms; a failure stops the benchmark. */
function timed(file: string, args: string[], cwd: string): number {
  const started = performance.now();
  const run = spawnSync(file, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LOG_FORMAT: 'json' } });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`${path.basename(file)} ${args.join(' ')} exited with ${run.status}: ${run.stderr.toString().slice(-500)}`);
  return ms;
}
