import type { Logger } from '../../log/types.ts';
import { messageOf } from '../../errors.ts';
import type { ShadowDriver } from '../shadow.ts';
import type { Target } from '../target.ts';
import type { PostgresPool } from './pool.ts';
import * as sql from './queries.ts';

const SQLSTATE_INSUFFICIENT_PRIVILEGE = '42501';

/** Shadow databases on PostgreSQL (see targets/shadow.ts): same server, same credentials. */
export function postgresShadowDriver(pool: PostgresPool, logger: Logger, open: (url: string) => Target): ShadowDriver {
  return {
    url: pool.url,
    database: pool.urlParts().database,
    logger,
    open,
    async listDatabases(prefix) {
      const server = await pool.ready();
      const { rows } = await server.query<{ datname: string }>(sql.listDatabasesStartingWith(), [prefix]).catch((error: unknown) => {
        throw pool.queryError(error, 'list shadow databases');
      });
      return rows.map((row) => row.datname);
    },
    async createDatabase(name) {
      const server = await pool.ready();
      try {
        await server.query(sql.createDatabase(name));
        return undefined;
      } catch (error) {
        if ((error as { code?: unknown }).code !== SQLSTATE_INSUFFICIENT_PRIVILEGE) throw pool.queryError(error, 'create a shadow database', name);
        return {
          unavailable: `the role "${pool.urlParts().user}" may not create databases on ${pool.where} (${messageOf(error)}); grant it CREATEDB to compare the database with its migrations`,
        };
      }
    },
    async dropDatabase(name) {
      const server = await pool.ready();
      await server.query(sql.dropDatabase(name));
    },
  };
}
