import { expect, it } from 'vitest';

import { differentDatabases, loadConfig } from '../../../daemon/config/load.ts';

it('DATABASE_URL and GOOSE_DBSTRING naming different databases is said once, passwords left out', () => {
  const loaded = loadConfig({
    cwd: '/tmp',
    env: { DATABASE_URL: 'postgres://app:secret@localhost:5432/app', GOOSE_DRIVER: 'postgres', GOOSE_DBSTRING: 'postgres://app:secret@localhost:5432/app_dev' },
    flags: {},
  });
  expect(loaded.notices.filter((n) => n.startsWith('DATABASE_URL'))).toEqual([
    'DATABASE_URL (app@localhost:5432/app) and GOOSE_DBSTRING (app@localhost:5432/app_dev) name different databases: schemasync and Prisma use DATABASE_URL, the goose CLI would use GOOSE_DBSTRING; make them agree',
  ]);
  expect(loaded.config.postgres.url).toBe('postgres://app:secret@localhost:5432/app');
});

it('the same database written two ways is not a difference', () => {
  expect(differentDatabases('postgres://app:a@localhost/app', 'postgresql://app:b@127.0.0.1:5432/app')).toBeUndefined();
  expect(differentDatabases('postgres://app@db:5432/app', 'postgres://app@db:5433/app')).toEqual(['app@db:5432/app', 'app@db:5433/app']);
  // goose's key=value form is compared as the URL it stands for.
  const loaded = loadConfig({
    cwd: '/tmp',
    env: { DATABASE_URL: 'postgres://app@db:5432/app', GOOSE_DRIVER: 'postgres', GOOSE_DBSTRING: 'host=db port=5432 user=app dbname=app' },
    flags: {},
  });
  expect(loaded.notices.filter((n) => n.startsWith('DATABASE_URL'))).toEqual([]);
});
