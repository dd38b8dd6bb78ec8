/**
 * The ClickHouse engines the cluster-free tests run on: the 18.16 server (the old end) and the
 * current engine in-process (chdb, the new end). Each gives a fresh database, the target options
 * that reach it, and a way to query it that bypasses the code under test.
 */
import type { SessionOptions } from '../../daemon/targets/clickhouse/connection.ts';
import { chdbMissing, chdbQuery, createChdbDatabase } from './chdb.ts';
import { clickhouseMissing, clickhouseQuery, clickhouseServerUrl, createTestClickHouseDatabase } from './clickhouse.ts';

export interface EngineDatabase {
  url: string;
  database: string;
  /** Options for createClickHouseTarget that reach this engine. */
  session: SessionOptions;
  /** One statement on this database, TabSeparated text. */
  query(sql: string): Promise<string>;
  drop(): Promise<void>;
}

export interface ClickHouseEngine {
  name: string;
  needs: string;
  missing(): string | undefined;
  /** A server (a port, ON CLUSTER, KILL QUERY); chdb is in-process. */
  server: boolean;
  createDatabase(): Promise<EngineDatabase>;
}

export const CLICKHOUSE_ENGINES: ClickHouseEngine[] = [
  {
    name: 'ClickHouse 18.16',
    needs: 'a ClickHouse server',
    missing: clickhouseMissing,
    server: true,
    async createDatabase() {
      const database = await createTestClickHouseDatabase();
      return { ...database, session: {}, query: (sql) => clickhouseQuery(clickhouseServerUrl(), sql, database.database) };
    },
  },
  {
    name: 'current ClickHouse (chdb)',
    needs: 'chdb (test/fixtures/chdb)',
    missing: chdbMissing,
    server: false,
    async createDatabase() {
      const database = await createChdbDatabase();
      return { ...database, session: { connection: database.connection }, query: (sql) => chdbQuery(sql, database.database) };
    },
  },
];
