import { afterEach, beforeEach, expect, it } from 'vitest';

import { hasErrorCode } from '../../daemon/errors.ts';
import { silentLogger } from '../../daemon/log/types.ts';
import { GOOSE_LOCK_ID } from '../../daemon/targets/postgres/queries.ts';
import { createPostgresTarget } from '../../daemon/targets/postgres/target.ts';
import type { Target } from '../../daemon/targets/target.ts';
import { createTestDatabase, postgresAdminUrl, postgresMissing, withClient } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import { contractFiles, describeTargetContract, migrationFile, rejection, unitOf, type ContractSubject } from './target-contract.ts';

const open = (url: string) => createPostgresTarget(url, { logger: silentLogger });
const rows = <R extends Record<string, unknown>>(url: string, text: string, values: unknown[] = []) =>
  withClient(url, async (client) => (await client.query<R>(text, values)).rows);

const postgres: ContractSubject = {
  target: 'postgres',
  needs: 'PostgreSQL',
  missing: postgresMissing,
  async createDatabase() {
    const database = await createTestDatabase();
    return {
      open: () => open(database.url),
      gooseRows: async () =>
        (
          await rows<{ version_id: string; is_applied: boolean }>(database.url, 'SELECT version_id, is_applied FROM goose_db_version ORDER BY version_id, id')
        ).map((row) => ({ version: Number(row.version_id), applied: row.is_applied })),
      tableExists: async (table) => (await rows<{ exists: boolean }>(database.url, 'SELECT to_regclass($1) IS NOT NULL AS exists', [table]))[0]!.exists,
      drop: () => database.drop(),
    };
  },
  serverDatabases: {
    create: async (name) => void (await rows(postgresAdminUrl(), `CREATE DATABASE ${name}`)),
    exists: async (name) => (await rows(postgresAdminUrl(), 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).length === 1,
  },
  createTable: (name) => `CREATE TABLE ${name} (id int PRIMARY KEY, name text NOT NULL);`,
  // goose's lock holder as pg_stat_activity shows it: our sessions carry application_name schemasync.
  holder: () => /pid \d+ \(schemasync on /,
  unreachable: () => open('postgres://postgres:secret@127.0.0.1:1/nothing'),
};

describeTargetContract(postgres);

describeWith('PostgreSQL', postgresMissing(), 'postgres target contract, PostgreSQL only', () => {
  const files = contractFiles(postgres);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let target: Target;
  beforeEach(async () => {
    database = await createTestDatabase();
    target = open(database.url);
    // As the engine does before applying: reading the version table creates it.
    await target.listVersions();
  });
  afterEach(async () => {
    await target.close();
    await database.drop();
  });
  const tables = async () =>
    (await rows<{ tablename: string }>(database.url, "SELECT tablename FROM pg_tables WHERE tablename LIKE 'contract_%'")).map((r) => r.tablename);

  it('applyAtomically is one transaction: a failure in the second unit rolls the first back too', async () => {
    const error = await rejection(target.applyAtomically([unitOf(files.first, 'up'), unitOf(files.failing, 'up')]));
    expect(hasErrorCode(error, 'MIGRATION') && error.details.rolledBack).toBe(true);
    expect((await target.listVersions()).map((row) => row.version)).toEqual([0]);
    expect(await tables()).toEqual([]);
    expect(await target.ledger?.list()).toEqual([]);
  });

  it('a NO TRANSACTION file runs in autocommit, as goose does: statements before the failure stay, and the error lists them', async () => {
    const text = ['-- +goose NO TRANSACTION', '-- +goose Up', postgres.createTable('contract_autocommit'), 'INSERT INTO contract_missing VALUES (1);', ''].join(
      '\n',
    );
    const error = await rejection(target.apply(unitOf(migrationFile('postgres', '00004_autocommit.sql', text), 'up')));
    if (!hasErrorCode(error, 'MIGRATION')) throw error;
    expect(error.details).toMatchObject({ statementIndex: 1, line: 4, rolledBack: false, appliedStatements: [0] });
    expect(await tables()).toEqual(['contract_autocommit']);
    expect((await target.listVersions()).map((row) => row.version)).toEqual([0]);
  });

  it('the lock is goose’s own advisory lock, so goose and schemasync exclude each other', async () => {
    await target.withLock(async () => {
      const [row] = await rows<{ locked: boolean }>(database.url, `SELECT pg_try_advisory_lock(${GOOSE_LOCK_ID}) AS locked`);
      expect(row?.locked).toBe(false);
    });
    const [row] = await rows<{ locked: boolean }>(database.url, `SELECT pg_try_advisory_lock(${GOOSE_LOCK_ID}) AS locked`);
    expect(row?.locked).toBe(true);
  });
});
