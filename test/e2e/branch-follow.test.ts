import { existsSync, readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkMigrations } from '../../daemon/drift/migrations.ts';
import { checkShadow } from '../../daemon/drift/shadow.ts';
import { silentLogger } from '../../daemon/log/types.ts';
import { createPostgresTarget } from '../../daemon/targets/postgres/target.ts';
import { runSchemasync, startSchemasync, type DaemonProcess, type LogEvent } from '../helpers/daemon.ts';
import { commitFiles, git, initRepository } from '../helpers/git.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { copyExampleProject, type TempProject } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { prismaMissing, sqlc, sqlcMissing } from '../helpers/tools.ts';
import { assertRunsNeverOverlap, nextRun } from './watch-helpers.ts';

/**
 * The dev database follows the git branch: a real repository in a temporary copy of the example
 * project, real `git checkout` / `git rebase`, the daemon watching with real file events, prisma
 * and sqlc. After each switch the database's catalog must equal a shadow database built from the
 * checked-out branch's migrations.
 */

const DIR = 'migrations/postgres';
const WIDGETS = `${DIR}/20250401000000_create_widgets.sql`;
const TAGS = `${DIR}/20250402000000_create_tags.sql`;
const MODELS = 'server/internal/database/generated/models.go';
const GADGETS = `${DIR}/20250404000000_create_gadgets.sql`;

const widgets = `-- +goose Up
CREATE TYPE widget_kind AS ENUM ('small', 'large');
CREATE TABLE widgets (id bigint PRIMARY KEY, kind widget_kind NOT NULL);

-- +goose Down
DROP TABLE widgets;
DROP TYPE widget_kind;
`;
const tags = `-- +goose Up
CREATE TABLE tags (id bigint PRIMARY KEY, label text NOT NULL);

-- +goose Down
DROP TABLE tags;
`;
const widgetQuery = `-- name: ListWidgets :many
SELECT id, kind FROM widgets ORDER BY id;
`;

const missing = sqlcMissing ?? prismaMissing ?? postgresMissing();

/**
 * A project with `feature` (+ widgets and a query on them) and `main` (with `mainAhead`, + tags,
 * made after feature branched off: newer than feature's own migration).
 */
async function gitProject(options: { mainAhead: boolean }): Promise<TempProject> {
  const project = await copyExampleProject({ without: ['migrations/clickhouse'] });
  initRepository(project.root, ['prisma/schema.prisma', 'server', 'generated']);
  git(project.root, 'branch', 'feature');
  if (options.mainAhead) commitFiles(project.root, { [TAGS]: tags }, 'tags');
  git(project.root, 'checkout', '-q', 'feature');
  commitFiles(project.root, { [WIDGETS]: widgets, 'queries/widgets.sql': widgetQuery }, 'widgets');
  git(project.root, 'checkout', '-q', 'main');
  return project;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWith('PostgreSQL, prisma and sqlc', missing, 'watch in a git repository', () => {
  describe('with --follow-branch', () => {
    let project: TempProject;
    let daemon: DaemonProcess;
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    const env = () => ({ DATABASE_URL: db.url, CLICKHOUSE_URL: '', SQLC_BIN: sqlc! });

    const tables = () =>
      withClient(db.url, async (client) =>
        (await client.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).rows.map(
          (r) => r.name,
        ),
      );
    const versions = () =>
      withClient(db.url, async (client) =>
        (await client.query<{ v: string }>(`SELECT version_id::text AS v FROM goose_db_version WHERE version_id > 0 ORDER BY id`)).rows.map((r) => r.v),
      );

    /** Runs `git args` and waits for the one run it causes; returns that run's events. */
    async function switchTo(...args: string[]): Promise<{ end: LogEvent; events: LogEvent[] }> {
      const from = daemon.events.length;
      git(project.root, ...args);
      const { end } = await nextRun(daemon, from);
      // Anything that would make a second run (a late file event, schemasync's own writes) shows up by then.
      await sleep(1_500);
      const events = daemon.events.slice(from);
      expect(
        events.filter((e) => e.event === 'run:start'),
        `one run per switch:\n${daemon.text()}`,
      ).toHaveLength(1);
      return { end, events };
    }

    /** The live catalog equals a shadow database built from the checked-out migrations, with nothing pending or orphaned. */
    async function expectDatabaseFollowsBranch() {
      const target = createPostgresTarget(db.url, { logger: silentLogger });
      try {
        const migrations = await checkMigrations(target, { dir: project.path(DIR), projectRoot: project.root });
        expect(migrations.findings, JSON.stringify(migrations.findings)).toEqual([]);
        const shadow = await checkShadow(target, { dir: project.path(DIR), projectRoot: project.root, env: {} });
        expect(shadow.unchecked).toEqual([]);
        expect(shadow.findings, JSON.stringify(shadow.findings)).toEqual([]);
      } finally {
        await target.close();
      }
    }

    async function expectOnMain() {
      expect(await tables()).toContain('tags');
      expect(await tables()).not.toContain('widgets');
      expect(await versions()).not.toContain('20250401000000');
      await expectDatabaseFollowsBranch();
      expect(readFileSync(project.path('prisma/schema.prisma'), 'utf8')).not.toMatch(/model widgets\b/);
      expect(readFileSync(project.path('prisma/schema.prisma'), 'utf8')).toMatch(/model tags\b/);
      expect(readFileSync(project.path(MODELS), 'utf8')).not.toContain('type Widget struct');
      expect(readFileSync(project.path(MODELS), 'utf8')).toContain('type Tag struct');
    }

    async function expectOnFeature() {
      expect(await tables()).toContain('widgets');
      expect(await tables()).not.toContain('tags');
      expect(await versions()).not.toContain('20250402000000');
      await expectDatabaseFollowsBranch();
      expect(readFileSync(project.path('prisma/schema.prisma'), 'utf8')).toMatch(/model widgets\b/);
      expect(readFileSync(project.path('prisma/schema.prisma'), 'utf8')).not.toMatch(/model tags\b/);
      expect(readFileSync(project.path(MODELS), 'utf8')).toContain('type Widget struct');
      expect(readFileSync(project.path(MODELS), 'utf8')).not.toContain('type Tag struct');
    }

    beforeAll(async () => {
      db = await createTestDatabase();
      project = await gitProject({ mainAhead: true });
      daemon = startSchemasync(['watch', '--follow-branch'], { cwd: project.root, env: env() });
      const { end } = await nextRun(daemon, 0);
      expect(end.ok, daemon.text()).toBe(true);
    });
    afterAll(async () => {
      if (daemon) {
        expect(await daemon.stop('SIGTERM'), daemon.text()).toBe(0);
        assertRunsNeverOverlap(daemon.events);
      }
      await project?.remove();
      await db?.drop();
    });

    it('starts on main with its migrations', async () => {
      expect(daemon.events.find((e) => e.event === 'git:head')?.branch).toBe('main');
      await expectOnMain();
    });

    it(
      'main → feature → main → feature, three times: each switch is one run and the database, schema.prisma and sqlc follow',
      { timeout: 300_000 },
      async () => {
        for (let round = 1; round <= 3; round++) {
          await withClient(db.url, (client) => client.query(`INSERT INTO tags VALUES (${round}, 'x')`));
          const toFeature = await switchTo('checkout', '-q', 'feature');
          expect(toFeature.end.ok, daemon.text()).toBe(true);
          expect(toFeature.events.find((e) => e.event === 'branch:switch')?.msg).toBe('branch: main → feature');
          // Before it drops anything, the log says what goes, rows included.
          const drop = toFeature.events.find((e) => e.event === 'orphans:drop');
          expect(drop?.msg).toBe('rolling back 20250402000000_create_tags.sql (from branch main): drops table tags (1 row)');
          await expectOnFeature();

          await withClient(db.url, (client) => client.query(`INSERT INTO widgets VALUES (1, 'small'), (2, 'large')`));
          const toMain = await switchTo('checkout', '-q', 'main');
          expect(toMain.end.ok, daemon.text()).toBe(true);
          expect(toMain.events.find((e) => e.event === 'branch:switch')?.msg).toBe('branch: feature → main');
          expect(toMain.events.find((e) => e.event === 'orphans:drop')?.msg).toBe(
            'rolling back 20250401000000_create_widgets.sql (from branch feature): drops table widgets (2 rows), type widget_kind',
          );
          await expectOnMain();
        }
        // No "restore the file" advice for a switch.
        expect(daemon.events.filter((e) => e.event === 'migration:file-missing' || e.kind === 'migration-file-missing')).toEqual([]);
        const verify = await runSchemasync(['verify', '--no-shadow'], { cwd: project.root, env: env() });
        expect(verify.code, verify.output).toBe(0);
      },
    );

    it('a switch that only rolls back (nothing to apply) brings schema.prisma and sqlc along too', { timeout: 120_000 }, async () => {
      git(project.root, 'checkout', '-q', '-b', 'gadgets', 'main');
      await sleep(1_000);
      const from = daemon.events.length;
      commitFiles(
        project.root,
        { [GADGETS]: '-- +goose Up\nCREATE TABLE gadgets (id bigint PRIMARY KEY);\n\n-- +goose Down\nDROP TABLE gadgets;\n' },
        'gadgets',
      );
      await daemon.waitFor((e) => e.event === 'step:end' && e.step === 'prisma' && daemon.events.indexOf(e) >= from, 60_000, 'prisma after gadgets');
      await sleep(1_500);
      expect(readFileSync(project.path('prisma/schema.prisma'), 'utf8')).toMatch(/model gadgets\b/);

      const { end } = await switchTo('checkout', '-q', 'main');
      expect(end.ok, daemon.text()).toBe(true);
      await expectOnMain();
      expect(readFileSync(project.path('prisma/schema.prisma'), 'utf8')).not.toMatch(/model gadgets\b/);
      expect(readFileSync(project.path(MODELS), 'utf8')).not.toContain('type Gadget struct');
    });

    it(
      'a rebase that renumbers a migration: the old version is rolled back as an orphan and the new one applied, in one run',
      { timeout: 120_000 },
      async () => {
        await switchTo('checkout', '-q', 'feature');
        await expectOnFeature();
        const renamed = `${DIR}/20250403000000_create_widgets.sql`;
        const { end, events } = await switchTo(
          '-c',
          'core.editor=true',
          'rebase',
          '-q',
          '--exec',
          `git mv ${WIDGETS} ${renamed} && git commit -q --amend --no-edit`,
          'main',
        );
        expect(end.ok, daemon.text()).toBe(true);
        expect(events.find((e) => e.event === 'orphans:drop')?.msg).toMatch(
          /^rolling back 20250401000000_create_widgets\.sql \(from branch feature before [0-9a-f]{7}\): drops table widgets/,
        );
        expect(await versions()).toEqual(expect.arrayContaining(['20250402000000', '20250403000000']));
        expect(await versions()).not.toContain('20250401000000');
        expect(await tables()).toEqual(expect.arrayContaining(['tags', 'widgets']));
        await expectDatabaseFollowsBranch();
      },
    );

    it('a Down that fails stops the rollback there, leaving that migration and the older ones as they were', { timeout: 120_000 }, async () => {
      git(project.root, 'checkout', '-q', '-b', 'broken', 'main');
      await sleep(1_000);
      const fine = `${DIR}/20250405000000_create_gadgets.sql`;
      const failing = `${DIR}/20250406000000_create_gizmos.sql`;
      const from = daemon.events.length;
      commitFiles(
        project.root,
        {
          [fine]: '-- +goose Up\nCREATE TABLE gadgets (id int);\n\n-- +goose Down\nDROP TABLE gadgets;\n',
          [failing]: '-- +goose Up\nCREATE TABLE gizmos (id int);\n\n-- +goose Down\nDROP TABLE gizmos;\nDROP TABLE no_such_table;\n',
        },
        'broken down',
      );
      const applied = await daemon.waitFor(
        (e) => e.event === 'migration:applied' && e.version === 20250406000000 && daemon.events.indexOf(e) >= from,
        60_000,
        'the broken branch applied',
      );
      await daemon.waitFor((e) => e.event === 'run:end' && daemon.events.indexOf(e) > daemon.events.indexOf(applied), 60_000, 'its run to end');
      await sleep(1_500);
      const before = await versions();
      expect(before).toEqual(expect.arrayContaining(['20250405000000', '20250406000000']));

      const { end, events } = await switchTo('checkout', '-q', 'main');
      expect(end.ok).toBe(false);
      const failure = events.find((e) => e.level >= 50 && typeof e.msg === 'string' && e.msg.includes('no_such_table'));
      expect(failure?.msg, daemon.text()).toContain('20250406000000_create_gizmos.sql');
      expect(events.find((e) => e.event === 'orphans:stopped')?.msg).toContain(
        '20250405000000_create_gadgets.sql, 20250406000000_create_gizmos.sql from branch broken',
      );
      // Nothing half-done: the failing Down's transaction rolled back, the older orphan was not touched.
      expect(await versions()).toEqual(before);
      expect(await tables()).toEqual(expect.arrayContaining(['gadgets', 'gizmos']));
      expect(existsSync(project.path(fine))).toBe(false);
    });
  });

  describe('without --follow-branch', () => {
    let project: TempProject;
    let daemon: DaemonProcess;
    let db: Awaited<ReturnType<typeof createTestDatabase>>;

    beforeAll(async () => {
      db = await createTestDatabase();
      project = await gitProject({ mainAhead: false });
      daemon = startSchemasync(['watch'], { cwd: project.root, env: { DATABASE_URL: db.url, CLICKHOUSE_URL: '', SQLC_BIN: sqlc! } });
      expect((await nextRun(daemon, 0)).end.ok, daemon.text()).toBe(true);
    });
    afterAll(async () => {
      if (daemon) expect(await daemon.stop('SIGTERM'), daemon.text()).toBe(0);
      await project?.remove();
      await db?.drop();
    });

    it('drops nothing and says once per switch which migrations are left from which branch, and how to roll them back', { timeout: 120_000 }, async () => {
      for (let round = 1; round <= 2; round++) {
        let from = daemon.events.length;
        git(project.root, 'checkout', '-q', 'feature');
        expect((await nextRun(daemon, from)).end.ok, daemon.text()).toBe(true);
        await sleep(1_500);
        from = daemon.events.length;
        git(project.root, 'checkout', '-q', 'main');
        const { end } = await nextRun(daemon, from);
        expect(end.ok, daemon.text()).toBe(true);
        await sleep(1_500);
        const events = daemon.events.slice(from);
        expect(events.filter((e) => e.event === 'run:start')).toHaveLength(1);
        const warnings = events.filter((e) => e.level >= 40);
        expect(warnings, `round ${round}:\n${daemon.text()}`).toHaveLength(1);
        expect(warnings[0]!.kind).toBe('migration-orphan');
        expect(warnings[0]!.msg).toContain('20250401000000_create_widgets.sql is applied on postgres from branch feature');
        expect(warnings[0]!.msg).toContain('schemasync down --orphans');
        expect(warnings[0]!.msg).not.toContain('restore the file');
        expect(events.some((e) => e.event === 'orphans:drop')).toBe(false);
      }
      const kept = await withClient(
        db.url,
        async (client) => (await client.query(`SELECT to_regclass('widgets') IS NOT NULL AS kept`)).rows[0] as { kept: boolean },
      );
      expect(kept.kept).toBe(true);
    });

    it('`schemasync down --orphans` rolls them back for scripts, and verify names them until then', { timeout: 120_000 }, async () => {
      expect(await daemon.stop('SIGTERM')).toBe(0);
      const env = { DATABASE_URL: db.url, CLICKHOUSE_URL: '', SQLC_BIN: sqlc! };
      await withClient(db.url, (client) => client.query(`INSERT INTO widgets VALUES (1, 'small')`));
      const verify = await runSchemasync(['verify', '--json', '--no-shadow'], { cwd: project.root, env });
      expect(verify.code, verify.output).toBe(1);
      const report = JSON.parse(verify.stdout) as { findings: Array<{ kind: string; message: string; hint: string }> };
      const orphan = report.findings.find((f) => f.kind === 'migration-orphan');
      expect(orphan?.message).toContain('from branch feature');
      expect(orphan?.hint).toContain('schemasync down --orphans');
      expect(report.findings.some((f) => f.kind === 'migration-file-missing')).toBe(false);

      const down = await runSchemasync(['down', '--orphans'], { cwd: project.root, env });
      expect(down.code, down.output).toBe(0);
      expect(down.events.find((e) => e.event === 'orphans:drop')?.msg).toBe(
        'rolling back 20250401000000_create_widgets.sql (from branch feature): drops table widgets (1 row), type widget_kind',
      );
      const gone = await withClient(
        db.url,
        async (client) => (await client.query(`SELECT to_regclass('widgets') IS NULL AS gone`)).rows[0] as { gone: boolean },
      );
      expect(gone.gone).toBe(true);
      // down, like goose's, touches only the database: a sync brings schema.prisma along, then all is in sync.
      expect((await runSchemasync(['sync'], { cwd: project.root, env })).code).toBe(0);
      const after = await runSchemasync(['verify', '--no-shadow'], { cwd: project.root, env });
      expect(after.code, after.output).toBe(0);
    });
  });
});
