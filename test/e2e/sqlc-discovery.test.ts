import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';

import { expect, it } from 'vitest';

import { startSchemasync, type LogEvent } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { copyExampleProject } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { sqlc, sqlcMissing } from '../helpers/tools.ts';

// Issue 12: sqlc found as sqlc finds it. A sqlc.json added while the daemon runs is used
// without a restart, and a query folder the config starts naming is watched from then on.

const sqlcConfig = (queries: string[]) =>
  JSON.stringify({ version: '2', sql: [{ engine: 'postgresql', schema: 'migrations/postgres', queries, gen: { go: { package: 'db', out: 'gen/db' } } }] });

describeWith('PostgreSQL and sqlc', postgresMissing() ?? sqlcMissing, 'sqlc config discovery while watching', () => {
  it('a sqlc.json added later is used, and a query folder it names later is watched', async () => {
    const database = await createTestDatabase();
    const project = await copyExampleProject({ without: ['sqlc.yaml', 'migrations/clickhouse'] });
    const daemon = startSchemasync(['watch'], {
      cwd: project.root,
      env: { DATABASE_URL: database.url, CLICKHOUSE_URL: '', SQLC_BIN: sqlc, SCHEMASYNC_DEBOUNCE_MS: '100' },
    });
    const sqlcRuns = () => daemon.events.filter((e) => e.event === 'step:end' && e.step === 'sqlc' && e.status === 'ok');
    const runs = () => daemon.runEnds().length;
    try {
      await daemon.waitFor((e) => e.event === 'run:end', 90_000, 'the first run');
      const summary = daemon.events.find((e) => e.event === 'startup:summary') as LogEvent;
      expect(summary.msg).toMatch(/sqlc\s+off\s+no sqlc.yaml, sqlc.yml or sqlc.json/);
      expect(sqlcRuns()).toHaveLength(0);

      await writeFile(project.path('sqlc.json'), sqlcConfig(['queries']));
      await expect.poll(() => sqlcRuns().length, { timeout: 30_000, interval: 100 }).toBe(1);
      expect(existsSync(project.path('gen', 'db', 'users.sql.go'))).toBe(true);

      // A folder not named yet: saving in it changes nothing.
      await mkdir(project.path('more-queries'));
      await writeFile(project.path('more-queries', 'extra.sql'), '-- name: CountUsers :one\nSELECT count(*) FROM users;\n');
      await writeFile(project.path('sqlc.json'), sqlcConfig(['queries', 'more-queries']));
      await expect.poll(() => sqlcRuns().length, { timeout: 30_000, interval: 100 }).toBe(2);
      expect(await readFile(project.path('gen', 'db', 'extra.sql.go'), 'utf8')).toMatch(/CountUsers/);

      // Now watched: an edit there regenerates.
      const before = runs();
      await writeFile(
        project.path('more-queries', 'extra.sql'),
        '-- name: CountUsers :one\nSELECT count(*) FROM users;\n\n-- name: CountSpaces :one\nSELECT count(*) FROM spaces;\n',
      );
      await expect.poll(() => sqlcRuns().length, { timeout: 30_000, interval: 100 }).toBe(3);
      expect(runs()).toBeGreaterThan(before);
      expect(await readFile(project.path('gen', 'db', 'extra.sql.go'), 'utf8')).toMatch(/CountSpaces/);
    } finally {
      await daemon.stop();
      await project.remove();
      await database.drop();
    }
  }, 180_000);
});
