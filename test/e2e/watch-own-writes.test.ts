import { appendFile } from 'node:fs/promises';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { startSchemasync, type DaemonProcess } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { copyExampleProject, type TempProject } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { prismaMissing, sqlcMissing } from '../helpers/tools.ts';

/**
 * schemasync's own writes never start a run: on a fresh database the first run pulls and rewrites
 * schema.prisma while sqlc fails on a broken query; that write must not start a second run that
 * reports the same sqlc error again.
 */
describeWith('PostgreSQL, prisma and sqlc', postgresMissing() ?? prismaMissing ?? sqlcMissing, 'schemasync watch and its own writes', () => {
  let project: TempProject;
  let daemon: DaemonProcess;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    project = await copyExampleProject({ without: ['migrations/clickhouse'] });
    await appendFile(project.path('queries/users.sql'), '\n-- name: Broken :many\nSELECT nope FROM users;\n');
  });
  afterAll(async () => {
    if (daemon) expect(await daemon.stop()).toBe(0);
    await database?.drop();
    await project?.remove();
  });

  it('one sqlc error is reported once, not again after schemasync rewrote schema.prisma', async () => {
    daemon = startSchemasync(['watch'], { cwd: project.root, env: { DATABASE_URL: database.url, CLICKHOUSE_URL: '' } });
    const end = await daemon.waitFor((e) => e.event === 'run:end', 90_000, 'the first run');
    expect(end.ok, daemon.text()).toBe(false);
    expect(
      daemon.events.some((e) => e.event === 'step:end' && e.step === 'prisma' && e.status === 'ok'),
      daemon.text(),
    ).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(
      daemon.events.filter((e) => e.event === 'failure' && e.step === 'sqlc'),
      daemon.text(),
    ).toHaveLength(1);
    expect(daemon.runEnds(), daemon.text()).toHaveLength(1);
  });

  it('the [sqlc] failure line carries the time sqlc failed, not the time the Prisma step ended', () => {
    const failure = daemon.events.find((e) => e.event === 'failure' && e.step === 'sqlc')!;
    const prismaEnd = daemon.events.find((e) => e.event === 'step:end' && e.step === 'prisma')!;
    // sqlc fails in a fraction of a second; prisma db pull + generate take seconds.
    expect(Date.parse(String(failure.time)), daemon.text()).toBeLessThan(Date.parse(String(prismaEnd.time)));
    expect(daemon.events.indexOf(failure)).toBeLessThan(daemon.events.indexOf(prismaEnd));
  });
});
