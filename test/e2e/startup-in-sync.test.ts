import { readFile, writeFile } from 'node:fs/promises';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { startSchemasync, type DaemonProcess } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { copyExampleProject, type TempProject } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { prismaMissing, sqlcMissing } from '../helpers/tools.ts';

/**
 * A start-up of a project already in sync runs no Prisma CLI: state.json remembers the catalog,
 * the schema.prisma text and the Prisma version and config of the last pull, which is what
 * `prisma db pull --print` would give. A hand edit made while the daemon was stopped is still
 * found at the next start (the pull runs then).
 */
describeWith('PostgreSQL, prisma and sqlc', postgresMissing() ?? prismaMissing ?? sqlcMissing, 'a start-up already in sync', () => {
  let project: TempProject;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const env = () => ({ DATABASE_URL: database.url, CLICKHOUSE_URL: '', LOG_LEVEL: 'debug' });

  /** One daemon from start to its first run's end, then a clean stop. */
  async function startAndStop(): Promise<DaemonProcess> {
    const daemon = startSchemasync(['watch'], { cwd: project.root, env: env() });
    const end = await daemon.waitFor((e) => e.event === 'run:end', 90_000, 'the first run');
    expect(end.ok, daemon.text()).toBe(true);
    expect(await daemon.stop(), daemon.text()).toBe(0);
    return daemon;
  }
  const remembered = (daemon: DaemonProcess) => daemon.events.some((e) => e.event === 'drift:prisma-remembered');
  const driftKinds = (daemon: DaemonProcess) => daemon.events.filter((e) => e.event === 'drift').map((e) => e.kind);

  beforeAll(async () => {
    database = await createTestDatabase();
    project = await copyExampleProject({ without: ['migrations/clickhouse'] });
  });
  afterAll(async () => {
    await database?.drop();
    await project?.remove();
  });

  it('the first start pulls; the next one compares with what state.json remembers, and finds no drift', async () => {
    const first = await startAndStop();
    expect(
      first.events.some((e) => e.event === 'step:end' && e.step === 'prisma' && e.status === 'ok'),
      first.text(),
    ).toBe(true);
    const state = JSON.parse(await readFile(project.path('.schemasync', 'state.json'), 'utf8')) as Record<string, unknown>;
    for (const key of ['prismaPulledFrom', 'prismaPulledSchema', 'prismaPulledWith']) expect(typeof state[key], key).toBe('string');

    const second = await startAndStop();
    expect(remembered(second), second.text()).toBe(true);
    expect(driftKinds(second), second.text()).toEqual([]);
  });

  it('a hand edit made while it was stopped is found at the next start', async () => {
    const schema = project.path('prisma', 'schema.prisma');
    const text = await readFile(schema, 'utf8');
    await writeFile(schema, text.replace(/^(model users \{\n)/m, '$1  nickname String?\n'));
    const daemon = await startAndStop();
    expect(remembered(daemon), daemon.text()).toBe(false);
    expect(driftKinds(daemon), daemon.text()).toContain('prisma-schema');
  });
});
