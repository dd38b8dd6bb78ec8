import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { runSchemasync } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing, withClient } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';

// DIMO devices-api's pattern: every migration sets search_path to its own schema first, so the
// shadow session renders names relative to it unless the catalog is read under a fixed state.
const SEARCH_PATH = `-- +goose Up
SET search_path = devices_api, public;
CREATE SCHEMA IF NOT EXISTS devices_api;
CREATE TYPE device_command_request_status AS ENUM ('Pending', 'Complete', 'Failed');
CREATE TABLE user_devices (id char(27) PRIMARY KEY, name text NOT NULL);
CREATE TABLE device_command_requests (
  id char(27) PRIMARY KEY,
  user_device_id char(27) NOT NULL REFERENCES user_devices (id) ON DELETE CASCADE,
  status device_command_request_status NOT NULL DEFAULT 'Pending'
);
CREATE VIEW pending_requests AS SELECT r.id, d.name FROM device_command_requests r JOIN user_devices d ON d.id = r.user_device_id WHERE r.status = 'Pending';

-- +goose Down
SET search_path = devices_api, public;
DROP VIEW pending_requests;
DROP TABLE device_command_requests;
DROP TABLE user_devices;
DROP TYPE device_command_request_status;
`;
// pg_get_expr prints a timestamptz constant in the session's TimeZone, an interval in its IntervalStyle.
const TIME_ZONE = `-- +goose Up
SET TimeZone = 'America/New_York';
SET IntervalStyle = 'iso_8601';
SET DateStyle = 'German, DMY';
CREATE TABLE schedules (
  id int PRIMARY KEY,
  starts_at timestamptz NOT NULL DEFAULT '2024-01-01 00:00:00+00',
  every interval NOT NULL DEFAULT '1 day 2 hours',
  on_day date NOT NULL DEFAULT '2024-03-01'
);

-- +goose Down
DROP TABLE schedules;
`;
// A schema named through ENVSUB: it lives inside whichever database runs it, the shadow included.
const ENVSUB_SCHEMA = `-- +goose Up
-- +goose ENVSUB ON
CREATE SCHEMA \${APP_SCHEMA};
CREATE TABLE \${APP_SCHEMA}.events (id int PRIMARY KEY);
INSERT INTO \${APP_SCHEMA}.events VALUES (1);

-- +goose Down
-- +goose ENVSUB ON
DROP SCHEMA \${APP_SCHEMA} CASCADE;
`;
// plpgsql checks no call at CREATE time, so this applies without dblink installed; a shadow run
// of a caller would reach the database named in the connection string.
const DBLINK = `-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION push_events() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dblink_exec('dbname=' || current_database(), 'DELETE FROM analytics.events');
END $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION push_events();
`;

describeWith('PostgreSQL', postgresMissing(), 'the shadow check on PostgreSQL: apart by construction, compared like with like', () => {
  let root: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const cli = (dir: string, ...args: string[]) =>
    runSchemasync([...args, '--target', 'postgres', '--dir', dir], {
      cwd: root,
      env: { DATABASE_URL: database.url, CLICKHOUSE_URL: '', APP_SCHEMA: 'analytics' },
    });
  const folder = async (name: string, files: Record<string, string>) => {
    const dir = path.join(root, name);
    await mkdir(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text);
    return dir;
  };
  const rows = () => withClient(database.url, async (client) => (await client.query<{ n: string }>('SELECT count(*) AS n FROM analytics.events')).rows[0]!.n);

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'schemasync-shadow-pg-'));
  });
  afterAll(async () => {
    await database?.drop();
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    { name: 'search_path', file: '00001_devices.sql', text: SEARCH_PATH },
    { name: 'time zone and styles', file: '00001_schedules.sql', text: TIME_ZONE },
  ])('a database built by up from migrations that SET $name is in sync with them', async ({ name, file, text }) => {
    database = await createTestDatabase();
    try {
      const dir = await folder(name.replace(/\W/g, '_'), { [file]: text });
      const up = await cli(dir, 'up');
      expect(up.code, up.output).toBe(0);
      for (const args of [['verify'], ['verify', '--rollback']]) {
        const verify = await cli(dir, ...args);
        expect(verify.code, verify.output).toBe(0);
        expect(verify.stdout).toContain('in sync');
      }
    } finally {
      await database.drop();
    }
  });

  it('a schema named through ENVSUB stays in the shadow database; a dblink call is not run there (file:line, exit 2)', async () => {
    database = await createTestDatabase();
    const dir = await folder('envsub', { '00001_events.sql': ENVSUB_SCHEMA });
    expect((await cli(dir, 'up')).code).toBe(0);
    for (const args of [['verify'], ['verify', '--rollback']]) {
      const verify = await cli(dir, ...args);
      expect(verify.code, verify.output).toBe(0);
      expect(await rows()).toBe('1');
    }

    await writeFile(path.join(dir, '00002_push.sql'), DBLINK);
    expect((await cli(dir, 'up')).code).toBe(0);
    const verify = await cli(dir, 'verify');
    expect(verify.code, verify.output).toBe(2);
    expect(verify.stdout).toContain('00002_push.sql:5 (up) names another database through dblink');
    expect(verify.stdout).not.toContain('in sync');
    expect(await rows()).toBe('1');
  });
});
