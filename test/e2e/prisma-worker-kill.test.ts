import { readFile, writeFile } from 'node:fs/promises';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { startSchemasync, type DaemonProcess, type LogEvent } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { copyExampleProject, type TempProject } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { prismaMissing } from '../helpers/tools.ts';
import { nextRun, stepStatuses, triggeredBy } from './watch-helpers.ts';

/**
 * `schemasync watch` with the warm Prisma worker, killed (SIGKILL) while it serves a run: the
 * run completes through the CLI, the worker comes back, and the next run is served warm again.
 * The worker is stopped (SIGSTOP) before the run so the kill lands while the request is in it.
 */

const migration = (table: string) =>
  `-- +goose Up\nCREATE TABLE ${table} (id serial PRIMARY KEY, label text NOT NULL);\n-- +goose Down\nDROP TABLE ${table};\n`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describeWith('PostgreSQL and prisma', postgresMissing() ?? prismaMissing, 'Prisma worker killed mid-run (e2e)', () => {
  let project: TempProject;
  let daemon: DaemonProcess;
  let drop: () => Promise<void>;

  const readyPids = () => daemon.events.filter((e) => e.event === 'prisma-worker:ready').map((e) => Number(e.workerPid));
  // What the worker served between a run's start and end (one run at a time).
  const servedIn = ({ start, end }: { start: LogEvent; end: LogEvent }) =>
    daemon.events
      .slice(daemon.events.indexOf(start), daemon.events.indexOf(end))
      .filter((e) => e.event === 'prisma-worker:served')
      .map((e) => e.op);

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = () => database.drop();
    project = await copyExampleProject({ without: ['migrations/clickhouse'] });
    daemon = startSchemasync(['watch'], { cwd: project.root, env: { DATABASE_URL: database.url, CLICKHOUSE_URL: undefined } });
  });
  afterAll(async () => {
    if (daemon) expect(await daemon.stop('SIGTERM'), daemon.text()).toBe(0);
    // The daemon takes its worker with it.
    for (const pid of daemon ? readyPids() : []) expect(alive(pid), `worker ${pid} outlived the daemon`).toBe(false);
    await drop?.();
    await project?.remove();
  });

  it('syncs at start-up with the worker', async () => {
    const run = await nextRun(daemon, 0, () => true, 90_000);
    expect(run.end.ok, daemon.text()).toBe(true);
    expect(readyPids()).toHaveLength(1);
    expect(servedIn(run)).toContain('generate');
  });

  it('a kill during the run: the run completes through the CLI, and the worker comes back', async () => {
    const [first] = readyPids();
    process.kill(first!, 'SIGSTOP');
    const from = daemon.events.length;
    await writeFile(project.path('migrations/postgres/20990101000000_tags.sql'), migration('tags'));
    const start = await daemon.waitFor((e) => e.event === 'step:start' && e.step === 'prisma' && daemon.events.indexOf(e) >= from, 45_000, 'the prisma step');
    process.kill(first!, 'SIGKILL');
    const run = await nextRun(daemon, from, triggeredBy('migrations/postgres/20990101000000_tags.sql'), 90_000);
    const { end } = run;
    expect(end.run).toBe(start.run);
    expect(end.ok, daemon.text()).toBe(true);
    expect(stepStatuses(end).prisma).toBe('ok');
    expect(await readFile(project.path('prisma/schema.prisma'), 'utf8')).toMatch(/^model tags \{/m);
    // The pull in flight ran through the CLI; the generate after it may already find the new worker.
    expect(servedIn(run)).not.toContain('pull');
    const inRun = daemon.events.slice(daemon.events.indexOf(run.start), daemon.events.indexOf(end));
    expect(inRun.find((e) => e.event === 'prisma-worker:miss')).toMatchObject({ op: 'pull', reason: 'the Prisma worker stopped (SIGKILL)' });
    const crash = daemon.events.find((e) => e.event === 'prisma-worker:crash');
    expect(crash?.msg).toBe('Prisma worker stopped (SIGKILL): this run uses the CLI; restarting it');
    await daemon.waitFor((e) => e.event === 'prisma-worker:ready' && e.workerPid !== first, 60_000, 'a new worker');
    expect(alive(first!)).toBe(false);
  });

  it('the next run is warm again', async () => {
    const from = daemon.events.length;
    await writeFile(project.path('migrations/postgres/20990101000100_labels.sql'), migration('labels'));
    const run = await nextRun(daemon, from, triggeredBy('migrations/postgres/20990101000100_labels.sql'), 90_000);
    expect(run.end.ok, daemon.text()).toBe(true);
    expect(servedIn(run)).toEqual(['pull', 'generate']);
    expect(await readFile(project.path('prisma/schema.prisma'), 'utf8')).toMatch(/^model labels \{/m);
  });
});
