import type { Logger } from '../../log/types.ts';
import type { ShadowDriver } from '../shadow.ts';
import type { Target } from '../target.ts';
import { ServerQueryError, type ClickHouseSession } from './connection.ts';
import * as sql from './queries.ts';
import { bookkeepingError } from './query-failure.ts';

/** ClickHouse's ACCESS_DENIED (newer servers) and READONLY (18.16's answer for a read-only user). */
const NO_PERMISSION_CODES = new Set(['497', '164']);

/** Shadow databases on ClickHouse (see targets/shadow.ts): same server, same user. */
export function clickhouseShadowDriver(session: ClickHouseSession, url: string, where: string, logger: Logger, open: (url: string) => Target): ShadowDriver {
  return {
    url,
    database: session.database,
    logger,
    open,
    async listDatabases(prefix) {
      try {
        return (await session.rows<{ name: string }>(sql.listDatabasesStartingWith(prefix))).map((row) => row.name);
      } catch (error) {
        throw bookkeepingError(error, 'list shadow databases');
      }
    },
    async createDatabase(name) {
      try {
        await session.command(sql.createDatabase(name));
        return undefined;
      } catch (error) {
        if (!(error instanceof ServerQueryError) || error.server.code === undefined || !NO_PERMISSION_CODES.has(error.server.code)) {
          throw bookkeepingError(error, `create the shadow database ${name}`);
        }
        return {
          unavailable: `the ClickHouse user may not create databases on ${where} (${error.server.message}); allow CREATE DATABASE to compare the database with its migrations`,
        };
      }
    },
    dropDatabase: (name) => session.command(sql.dropDatabase(name)),
  };
}
