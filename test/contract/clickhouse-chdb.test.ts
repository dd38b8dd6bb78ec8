/**
 * The target contract on ClickHouse as it is today: the same scenario as clickhouse.test.ts, on
 * chdb (the current engine in-process, through the target's client seam), beside the 18.16 server.
 */
import { silentLogger } from '../../daemon/log/types.ts';
import { createClickHouseTarget } from '../../daemon/targets/clickhouse/target.ts';
import { chdbConnection, chdbMissing, chdbQuery, createChdbDatabase } from '../helpers/chdb.ts';
import { describeTargetContract, type ContractSubject } from './target-contract.ts';

const open = (url: string, ownerId?: string) =>
  createClickHouseTarget(url, { logger: silentLogger, lock: { pollEveryMs: 100, ownerId }, session: { connection: chdbConnection } });
const tsv = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));

const chdb: ContractSubject = {
  target: 'clickhouse',
  needs: 'chdb (test/fixtures/chdb)',
  missing: chdbMissing,
  async createDatabase() {
    const database = await createChdbDatabase();
    return {
      open: (owner) => open(database.url, owner),
      gooseRows: async () =>
        tsv(await chdbQuery('SELECT version_id, is_applied FROM goose_db_version ORDER BY version_id', database.database)).map(([version, applied]) => ({
          version: Number(version),
          applied: applied === '1' || applied === 'true',
        })),
      tableExists: async (table) => (await chdbQuery(`EXISTS TABLE ${table}`, database.database)) === '1\n',
      drop: () => database.drop(),
    };
  },
  serverDatabases: {
    create: async (name) => void (await chdbQuery(`CREATE DATABASE ${name}`)),
    exists: async (name) => (await chdbQuery(`SELECT count() FROM system.databases WHERE name = '${name}'`)) === '1\n',
  },
  createTable: (name) => `CREATE TABLE ${name} (id UInt32, name String) ENGINE = MergeTree() ORDER BY id;`,
  holder: (owner) => new RegExp(`${owner} \\(ticket \\d+, since `),
  unreachable: () => createClickHouseTarget('http://default@127.0.0.1:1/default', { logger: silentLogger }),
};

describeTargetContract({ ...chdb, target: 'clickhouse' });
