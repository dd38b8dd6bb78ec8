import { describe, expect, it } from 'vitest';

import { postgresReach } from '../../../daemon/migrations/postgres-reach.ts';

const scope = { database: 'shadow_db', databases: ['shadow_db', 'app', 'postgres'] };
const reach = (sql: string) => postgresReach(sql, scope).map((found) => found.what);

describe('postgresReach: what a statement reaches outside its database', () => {
  it.each([
    // Schemas live inside the database: qualified names stay in it.
    { sql: 'CREATE SCHEMA devices_api; CREATE TABLE devices_api.devices (id text PRIMARY KEY)', found: [] },
    { sql: 'SET search_path = devices_api, public', found: [] },
    { sql: 'INSERT INTO app.users SELECT * FROM public.users', found: [] },
    { sql: "SELECT 1 -- dblink('dbname=app')\n/* postgres_fdw */", found: [] },
    { sql: "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT 'a' $$", found: [] },
    { sql: 'ALTER DATABASE shadow_db SET timezone = UTC', found: [] },
    { sql: 'CREATE TABLE my_dblink_table (id int)', found: [] },
    // Connections of its own.
    { sql: 'CREATE EXTENSION IF NOT EXISTS dblink', found: ['another database through dblink'] },
    { sql: "SELECT dblink_exec('dbname=app', 'DELETE FROM users')", found: ['another database through dblink'] },
    { sql: "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $body$ BEGIN PERFORM dblink_connect('dbname=app'); END $body$", found: ['another database through dblink'] },
    { sql: 'CREATE EXTENSION postgres_fdw', found: ['another database through postgres_fdw'] },
    { sql: "CREATE SERVER live FOREIGN DATA WRAPPER pg OPTIONS (dbname 'app')", found: ['another server (CREATE SERVER)'] },
    { sql: 'IMPORT FOREIGN SCHEMA public FROM SERVER live INTO mirror', found: ['another server (IMPORT FOREIGN SCHEMA)'] },
    { sql: 'CREATE FOREIGN TABLE ft (id int) SERVER live', found: ['another server (CREATE FOREIGN TABLE)'] },
    { sql: "CREATE SUBSCRIPTION s CONNECTION 'dbname=app' PUBLICATION p", found: ['another server (CREATE SUBSCRIPTION)'] },
    // Other databases and the server's configuration.
    { sql: "ALTER DATABASE app SET search_path = app, public", found: ['database app'] },
    { sql: 'ALTER DATABASE App SET search_path = app, public', found: ['database App'] },
    { sql: "COMMENT ON DATABASE postgres IS 'x'", found: ['database postgres'] },
    { sql: 'CREATE DATABASE reports', found: ['database reports'] },
    { sql: 'DROP DATABASE IF EXISTS reports', found: ['database reports'] },
    { sql: "ALTER SYSTEM SET work_mem = '64MB'", found: ["the server's configuration (ALTER SYSTEM)"] },
  ])('$sql', ({ sql, found }) => {
    expect(reach(sql)).toEqual(found);
  });
});
