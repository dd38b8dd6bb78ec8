import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';

import { expect, it } from 'vitest';

import { startSchemasync, type DaemonProcess, type LogEvent } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { copyExampleProject, type TempProject } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { sqlc, sqlcMissing } from '../helpers/tools.ts';

// Issue 18: the sqlc config lives in one place (app/project.ts), which the sqlc step, the watcher
// and drift all read. A sqlc config added while the daemon runs used to be generated but never
// drift-checked until a restart; after sqlc.yaml was renamed to sqlc.json, drift still read sqlc.yaml.

const OUT = 'gen/db';
const sqlcJson = JSON.stringify({
  version: '2',
  sql: [{ engine: 'postgresql', schema: 'migrations/postgres', queries: 'queries', gen: { go: { package: 'db', out: OUT } } }],
});
const sqlcYaml = `version: '2'\nsql:\n  - engine: postgresql\n    schema: migrations/postgres\n    queries: queries\n    gen:\n      go:\n        package: db\n        out: ${OUT}\n`;

/** A failed run makes the next one full (every cheap drift check runs, sqlc's included): a broken file, then its removal. */
async function fullRun(daemon: DaemonProcess, project: TempProject): Promise<void> {
  const broken = project.path('migrations', 'postgres', '20990101000000_broken.sql');
  const before = daemon.runEnds().length;
  await writeFile(broken, 'SELECT 1;\n');
  await expect.poll(() => daemon.runEnds().length, { timeout: 30_000, interval: 100 }).toBe(before + 1);
  expect(daemon.runEnds().at(-1), daemon.text()).toMatchObject({ ok: false });
  await rm(broken);
  await expect.poll(() => daemon.runEnds().length, { timeout: 60_000, interval: 100 }).toBe(before + 2);
}

/** The end of the run that logged `event` (or of a later one). */
const runEndAfter = (daemon: DaemonProcess, event: LogEvent) =>
  daemon.waitFor((e) => e.event === 'run:end' && daemon.events.indexOf(e) > daemon.events.indexOf(event), 30_000, 'the run to end');
const sqlcGenerated = (daemon: DaemonProcess, after: number) =>
  daemon.waitFor((e) => e.event === 'step:end' && e.step === 'sqlc' && e.status === 'ok' && daemon.events.indexOf(e) >= after, 30_000, 'sqlc to generate');

const sqlcCodeDrift = (daemon: DaemonProcess) => daemon.events.filter((e) => e.event === 'drift' && e.kind === 'sqlc-code');
const sqlcUnchecked = (daemon: DaemonProcess) => daemon.events.filter((e) => e.event === 'drift:unchecked' && String(e.check).startsWith('sqlc'));

async function withDaemon(without: string[], body: (daemon: DaemonProcess, project: TempProject) => Promise<void>): Promise<void> {
  const database = await createTestDatabase();
  const project = await copyExampleProject({ without: ['migrations/clickhouse', 'prisma', 'prisma.config.ts', ...without] });
  const daemon = startSchemasync(['watch'], {
    cwd: project.root,
    env: { DATABASE_URL: database.url, CLICKHOUSE_URL: '', SQLC_BIN: sqlc, SCHEMASYNC_DEBOUNCE_MS: '100' },
  });
  try {
    await daemon.waitFor((e) => e.event === 'run:end', 90_000, 'the first run');
    await body(daemon, project);
  } finally {
    await daemon.stop();
    await project.remove();
    await database.drop();
  }
}

describeWith('PostgreSQL and sqlc', postgresMissing() ?? sqlcMissing, 'sqlc drift follows the sqlc config while watching', () => {
  it('a sqlc config added while the daemon runs is drift-checked without a restart', { timeout: 180_000 }, async () => {
    await withDaemon(['sqlc.yaml'], async (daemon, project) => {
      const from = daemon.events.length;
      await writeFile(project.path('sqlc.json'), sqlcJson);
      await runEndAfter(daemon, await sqlcGenerated(daemon, from));
      await appendFile(project.path(OUT, 'users.sql.go'), '\n// edited by hand\n');
      await fullRun(daemon, project);
      expect(sqlcCodeDrift(daemon), daemon.text()).toHaveLength(1);
      expect(sqlcUnchecked(daemon), daemon.text()).toEqual([]);
    });
  });

  it('renaming sqlc.yaml to sqlc.json moves drift to the new file', { timeout: 180_000 }, async () => {
    await withDaemon([], async (daemon, project) => {
      // The example's own config, for a generated folder of this test's.
      const from = daemon.events.length;
      await writeFile(project.path('sqlc.yaml'), sqlcYaml);
      await runEndAfter(daemon, await sqlcGenerated(daemon, from));
      await rm(project.path('sqlc.yaml'));
      await writeFile(project.path('sqlc.json'), sqlcJson);
      const taken = await daemon.waitFor((e) => e.event === 'sqlc:config' && String(e.file).endsWith('sqlc.json'), 30_000, 'the daemon to take sqlc.json');
      await runEndAfter(daemon, taken);
      await appendFile(project.path(OUT, 'users.sql.go'), '\n// edited by hand\n');
      await fullRun(daemon, project);
      expect(sqlcCodeDrift(daemon), daemon.text()).toHaveLength(1);
      expect(sqlcUnchecked(daemon), daemon.text()).toEqual([]);
      expect(await readFile(project.path(OUT, 'users.sql.go'), 'utf8')).toMatch(/edited by hand/);
    });
  });
});
