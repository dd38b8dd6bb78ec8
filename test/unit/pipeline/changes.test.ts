import { describe, expect, it } from 'vitest';
import { changedFileTest, classifyPaths, FULL_RUN, isEmpty, mergeChanges, noChanges, touches, type ProjectLayout } from '../../../daemon/pipeline/changes.ts';
import { TARGET_NAMES } from '../../../daemon/targets/target.ts';

const layout: ProjectLayout = {
  projectRoot: '/p',
  migrationDirs: { postgres: '/p/migrations/postgres', clickhouse: '/p/migrations/clickhouse' },
  sqlcConfig: '/p/sqlc.yaml',
  sqlcQueries: ['/p/queries'],
  prismaSchema: '/p/prisma/schema.prisma',
};

describe('a Prisma schema folder', () => {
  it('counts the folder and the .prisma files below it, nothing else in it', () => {
    const folderLayout = { ...layout, prismaSchema: '/p/prisma/schema' };
    const changes = classifyPaths(
      ['/p/prisma/schema/users.prisma', '/p/prisma/schema/billing/invoices.prisma', '/p/prisma/schema/notes.md', '/p/prisma/schema', '/p/prisma/pg-adapter.ts'],
      folderLayout,
    );
    expect(changes.prismaSchema).toBe(true);
    expect(changes.paths).toEqual(['/p/prisma/schema/users.prisma', '/p/prisma/schema/billing/invoices.prisma', '/p/prisma/schema']);
    expect(classifyPaths(['/p/prisma/schema/notes.md'], folderLayout).prismaSchema).toBe(false);
  });
});

describe('changes per target', () => {
  it('has one list per registered target, in every form', () => {
    for (const changes of [noChanges(), FULL_RUN, mergeChanges(noChanges(), FULL_RUN)]) {
      expect(Object.keys(changes.migrations).sort()).toEqual([...TARGET_NAMES].sort());
    }
  });

  it('sorts paths into targets, sqlc and prisma; a folder and what holds it count for its target', () => {
    const changes = classifyPaths(
      [
        '/p/migrations/postgres/00001_a.sql',
        '/p/migrations/postgres/..00002_b.sql',
        '/p/migrations',
        '/p/migrations/clickhouse',
        '/p/migrations/postgres-old/00001_a.sql',
        '/p/queries/users.sql',
        '/p/prisma/schema.prisma',
        '/p/README.md',
      ],
      layout,
    );
    expect(changes.migrations).toEqual({
      postgres: ['/p/migrations/postgres/00001_a.sql', '/p/migrations/postgres/..00002_b.sql', '/p/migrations'],
      clickhouse: ['/p/migrations', '/p/migrations/clickhouse'],
    });
    expect(changes).toMatchObject({ sqlc: true, prismaSchema: true, full: false });
    expect(changes.paths).not.toContain('/p/README.md');
    expect(changes.paths).not.toContain('/p/migrations/postgres-old/00001_a.sql');
  });

  it('merges per target and is empty only when no target changed', () => {
    const a = classifyPaths(['/p/migrations/clickhouse/1_a.sql'], layout);
    const merged = mergeChanges(noChanges(), a);
    expect(isEmpty(noChanges())).toBe(true);
    expect(isEmpty(merged)).toBe(false);
    expect(touches(merged, 'clickhouse')).toBe(true);
    expect(touches(merged, 'postgres')).toBe(false);
  });
});

describe('changedFileTest (one rule for validate and apply)', () => {
  it('matches a migration file by its absolute path, not by its name alone', () => {
    const changed = changedFileTest('/p', ['/p/migrations/postgres/00001_a.sql']);
    expect(changed({ path: 'migrations/postgres/00001_a.sql' })).toBe(true);
    expect(changed({ path: 'migrations/clickhouse/00001_a.sql' })).toBe(false);
    expect(changed({ path: 'migrations/postgres/00002_b.sql' })).toBe(false);
  });
});
