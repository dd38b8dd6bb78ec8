import { readFileSync, writeFileSync } from 'node:fs';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { startSchemasync, type DaemonProcess } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { copyExampleProject, type TempProject } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { prismaMissing, sqlc, sqlcMissing } from '../helpers/tools.ts';

describeWith('PostgreSQL, prisma and sqlc', sqlcMissing ?? prismaMissing ?? postgresMissing(), 'drift in watch mode', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let project: TempProject;
  let daemon: DaemonProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    project = await copyExampleProject({
      without: ['migrations/clickhouse'],
    });
    daemon = startSchemasync(['watch'], {
      cwd: project.root,
      env: { DATABASE_URL: db.url, CLICKHOUSE_URL: '', SQLC_BIN: sqlc! },
    });
    await daemon.waitFor((e) => e.event === 'run:end', 90_000, 'the first run');
  });
  afterAll(async () => {
    await daemon?.stop();
    await project?.remove();
    await db?.drop();
  });

  it('starts with no drift', () => {
    expect(daemon.events.filter((e) => e.event === 'drift')).toEqual([]);
    expect(daemon.events.find((e) => e.event === 'step:end' && e.step === 'drift')?.detail).toBe('no drift');
  });

  it('logs a hand edit of schema.prisma once as a drift warning, and its resolution', async () => {
    const schemaFile = project.path('prisma', 'schema.prisma');
    const original = readFileSync(schemaFile, 'utf8');
    writeFileSync(schemaFile, original.replace(/^(model users \{\n[^\n]*\n)/m, '$1  nickname String?\n'));
    const drift = await daemon.waitFor((e) => e.event === 'drift' && e.kind === 'prisma-schema', 60_000, 'the prisma-schema drift warning');
    expect(drift).toMatchObject({
      level: 40,
      file: 'prisma/schema.prisma',
      kind: 'prisma-schema',
    });
    expect(drift.hint).toEqual(expect.any(String));
    const runs = daemon.runEnds().length;

    writeFileSync(schemaFile, original);
    const resolved = await daemon.waitFor((e) => e.event === 'drift:resolved' && e.key === drift.key, 60_000, 'the drift:resolved event');
    expect(resolved.kind).toBe('prisma-schema');
    await daemon.waitFor(() => daemon.runEnds().length > runs, 30_000, 'the run to end');
    expect(daemon.events.filter((e) => e.event === 'drift' && e.key === drift.key)).toHaveLength(1);
  });

  it('compares with a shadow database on SIGUSR2 and names a column added by hand', async () => {
    await withClient(db.url, (client) => client.query('ALTER TABLE users ADD COLUMN nickname text'));
    daemon.child.kill('SIGUSR2');
    const drift = await daemon.waitFor((e) => e.event === 'drift' && e.kind === 'schema', 60_000, 'the schema drift warning');
    expect(drift.msg).toContain('column users.nickname text exists in the database, but no migration creates it');
    await withClient(db.url, (client) => client.query('ALTER TABLE users DROP COLUMN nickname'));
    daemon.child.kill('SIGUSR2');
    await daemon.waitFor((e) => e.event === 'drift:resolved' && e.key === drift.key, 60_000, 'the schema drift to be resolved');
  });
});
