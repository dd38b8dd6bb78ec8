import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { silentLogger } from '../../daemon/log/types.ts';
import { checksum } from '../../daemon/migrations/checksum.ts';
import { parseMigration } from '../../daemon/migrations/parse.ts';
import { createPostgresTarget } from '../../daemon/targets/postgres/target.ts';
import type { Target } from '../../daemon/targets/target.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import { goose, gooseMissing } from '../helpers/tools.ts';

const run = promisify(execFile);

const FIRST = `-- +goose Up
CREATE TABLE accounts (id int PRIMARY KEY);
-- +goose Down
DROP TABLE accounts;
`;
const SECOND = `-- +goose Up
ALTER TABLE accounts ADD COLUMN email text;
-- +goose Down
ALTER TABLE accounts DROP COLUMN email;
`;

// goose and schemasync take turns on one database: each must see what the other recorded.
describeWith('PostgreSQL and goose', postgresMissing() ?? gooseMissing, 'PostgreSQL target alongside the goose CLI', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  let target: Target;
  const gooseCli = async (...args: string[]) => {
    // Without GOOSE_DRIVER/GOOSE_DBSTRING, which goose would insert before our positionals.
    const { GOOSE_DRIVER: _driver, GOOSE_DBSTRING: _dbstring, ...env } = process.env;
    const { stderr } = await run(goose!, ['-dir', dir, 'postgres', database.url, ...args], { env });
    return stderr;
  };

  beforeEach(async () => {
    database = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'schemasync-goose-'));
    await writeFile(join(dir, '00001_accounts.sql'), FIRST);
    await writeFile(join(dir, '00002_email.sql'), SECOND);
    target = createPostgresTarget(database.url, { logger: silentLogger });
  });
  afterEach(async () => {
    await target.close();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads what goose applied, and goose reads what we applied', async () => {
    await gooseCli('up-to', '1');
    expect((await target.listVersions()).map((row) => row.version)).toEqual([1, 0]);

    const statements = parseMigration(SECOND, 'up', { file: '00002_email.sql' });
    await target.apply({
      file: { version: 2, description: 'email', name: '00002_email.sql', path: '00002_email.sql', text: SECOND, checksum: checksum(SECOND) },
      direction: 'up',
      ...statements,
    });
    expect(await gooseCli('version')).toContain('goose: version 2');
    await gooseCli('down');
    expect((await target.listVersions()).map((row) => row.version)).toEqual([1, 0]);
  });
});
