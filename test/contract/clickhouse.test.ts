import { afterEach, beforeEach, expect, it } from 'vitest';

import { hasErrorCode } from '../../daemon/errors.ts';
import { silentLogger } from '../../daemon/log/types.ts';
import { createClickHouseTarget } from '../../daemon/targets/clickhouse/target.ts';
import type { Target } from '../../daemon/targets/target.ts';
import { clickhouseMissing, clickhouseQuery, clickhouseServerUrl, createTestClickHouseDatabase } from '../helpers/clickhouse.ts';
import { describeWith } from '../helpers/require.ts';
import { contractFiles, describeTargetContract, rejection, unitOf, type ContractSubject } from './target-contract.ts';

const open = (url: string, ownerId?: string) => createClickHouseTarget(url, { logger: silentLogger, lock: { pollEveryMs: 100, ownerId } });
const query = (sql: string, database = 'default') => clickhouseQuery(clickhouseServerUrl(), sql, database);
/** TabSeparated rows as arrays of fields. */
const tsv = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));

const clickhouse: ContractSubject = {
  target: 'clickhouse',
  needs: 'a ClickHouse server',
  missing: clickhouseMissing,
  async createDatabase() {
    const database = await createTestClickHouseDatabase();
    return {
      open: (owner) => open(database.url, owner),
      gooseRows: async () =>
        tsv(await query('SELECT version_id, is_applied FROM goose_db_version ORDER BY version_id', database.database)).map(([version, applied]) => ({
          version: Number(version),
          applied: applied === '1',
        })),
      tableExists: async (table) => (await query(`EXISTS TABLE ${table}`, database.database)) === '1\n',
      drop: () => database.drop(),
    };
  },
  serverDatabases: {
    create: async (name) => void (await query(`CREATE DATABASE ${name}`)),
    exists: async (name) => (await query(`SELECT count() FROM system.databases WHERE name = '${name}'`)) === '1\n',
  },
  createTable: (name) => `CREATE TABLE ${name} (id UInt32, name String) ENGINE = MergeTree() ORDER BY id;`,
  // The bakery lock names the holder by its owner id.
  holder: (owner) => new RegExp(`${owner} \\(ticket \\d+, since `),
  unreachable: () => open('http://default@127.0.0.1:1/default'),
};

describeTargetContract(clickhouse);

describeWith('a ClickHouse server', clickhouseMissing(), 'clickhouse target contract, ClickHouse only', () => {
  const files = contractFiles(clickhouse);
  let database: Awaited<ReturnType<typeof createTestClickHouseDatabase>>;
  let target: Target;
  beforeEach(async () => {
    database = await createTestClickHouseDatabase();
    target = open(database.url);
    // As the engine does before applying: reading the version table creates it.
    await target.listVersions();
  });
  afterEach(async () => {
    await target.close();
    await database.drop();
  });

  it('no transactions: the statements before a failure stay, and the error says so', async () => {
    const error = await rejection(target.apply(unitOf(files.failing, 'up')));
    expect(hasErrorCode(error, 'MIGRATION')).toBe(true);
    expect(error.message).toContain('ClickHouse has no transactions: statement 1 of 00003_failing.sql (up) already ran and stay applied');
    expect(error.message).toContain("version 3 was not recorded in goose's table");
  });

  it('applyAtomically is not atomic: the units before a failing one stay applied and recorded', async () => {
    await rejection(target.applyAtomically([unitOf(files.first, 'up'), unitOf(files.failing, 'up')]));
    expect((await target.listVersions()).map((row) => row.version)).toEqual([1, 0]);
  });

  it('down deletes goose’s row with a mutation, as goose does, and waits until it is done (cluster mode writes a tombstone instead: clickhouse-cluster.test.ts)', async () => {
    await target.apply(unitOf(files.first, 'up'));
    await target.apply(unitOf(files.first, 'down'));
    const mutations = await query(`SELECT command, is_done FROM system.mutations WHERE database = '${database.database}' AND table = 'goose_db_version'`);
    expect(tsv(mutations)).toEqual([['DELETE WHERE version_id = 1', '1']]);
    expect(await query('SELECT count() FROM goose_db_version WHERE version_id = 1', database.database)).toBe('0\n');
  });
});
