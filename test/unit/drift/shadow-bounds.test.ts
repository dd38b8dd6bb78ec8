import { describe, expect, it } from 'vitest';

import { escapeReason, findShadowEscape, shadowEnv } from '../../../daemon/drift/shadow-bounds.ts';
import type { MigrationFile } from '../../../daemon/migrations/types.ts';

const bounds = { live: 'demo_app', databases: ['demo_app', 'other_db', 'default', 'system', 'shadow_1'] };
const file = (version: number, text: string): MigrationFile => ({
  version,
  description: 'x',
  name: `0000${version}_x.sql`,
  path: `migrations/0000${version}_x.sql`,
  text,
  checksum: '',
});

const EVENTS = file(
  1,
  `-- +goose Up
-- +goose ENVSUB ON
CREATE TABLE IF NOT EXISTS \${APP_DB}.events (id UInt64) ENGINE = MergeTree ORDER BY id;
INSERT INTO \${APP_DB}.events VALUES (1);
-- +goose Down
DROP TABLE \${APP_DB}.events;
`,
);
const OTHER = file(
  2,
  `-- +goose Up
CREATE TABLE t (id UInt64) ENGINE = MergeTree ORDER BY id;

INSERT INTO t
SELECT id
FROM other_db.t;
-- +goose Down
DROP TABLE t;
`,
);

describe('shadowEnv', () => {
  it('gives ClickHouse variables holding the live database name the shadow name, and leaves the rest', () => {
    expect(shadowEnv('clickhouse', { APP_DB: 'demo_app', CLUSTER: 'dev', EMPTY: undefined }, bounds, 'shadow_1')).toEqual({
      APP_DB: 'shadow_1',
      CLUSTER: 'dev',
      EMPTY: undefined,
    });
  });

  it('changes nothing on PostgreSQL (a schema may share the database name)', () => {
    const env = { APP_SCHEMA: 'demo_app' };
    expect(shadowEnv('postgres', env, bounds, 'shadow_1')).toBe(env);
  });
});

describe('findShadowEscape', () => {
  it('lets ${APP_DB}.events through once the variable names the shadow', () => {
    const env = shadowEnv('clickhouse', { APP_DB: 'demo_app' }, bounds, 'shadow_1');
    expect(findShadowEscape('clickhouse', [{ file: EVENTS, directions: ['up', 'down'] }], env, bounds, 'shadow_1')).toBeUndefined();
  });

  it('stops at the real database when the variable was not remapped', () => {
    const escape = findShadowEscape('clickhouse', [{ file: EVENTS, directions: ['up'] }], { APP_DB: 'demo_app' }, bounds, 'shadow_1');
    expect(escape).toEqual({ file: 'migrations/00001_x.sql', line: 3, direction: 'up', what: 'database demo_app' });
    expect(escapeReason('clickhouse', escape!, bounds)).toMatch(
      /^migrations\/00001_x\.sql:3 \(up\) names database demo_app, the real database; write the name through an ENVSUB variable .*no migration was run in the shadow and clickhouse was not compared$/,
    );
  });

  it('names the file line of the qualified name inside a multi-line statement', () => {
    expect(findShadowEscape('clickhouse', [{ file: OTHER, directions: ['up'] }], {}, bounds, 'shadow_1')).toEqual({
      file: 'migrations/00002_x.sql',
      line: 6,
      direction: 'up',
      what: 'database other_db',
    });
  });

  it('reads only the directions the check will run', () => {
    const downOnly = file(3, '-- +goose Up\nSELECT 1;\n-- +goose Down\nDROP TABLE other_db.t;\n');
    expect(findShadowEscape('clickhouse', [{ file: downOnly, directions: ['up'] }], {}, bounds, 'shadow_1')).toBeUndefined();
    expect(findShadowEscape('clickhouse', [{ file: downOnly, directions: ['up', 'down'] }], {}, bounds, 'shadow_1')).toMatchObject({
      line: 4,
      direction: 'down',
    });
  });

  it('uses the PostgreSQL scan for postgres', () => {
    const dblink = file(4, "-- +goose Up\nSELECT dblink_exec('dbname=demo_app', 'DELETE FROM users');\n");
    expect(findShadowEscape('postgres', [{ file: dblink, directions: ['up'] }], {}, bounds, 'shadow_1')).toMatchObject({
      line: 2,
      what: 'another database through dblink',
    });
    expect(findShadowEscape('postgres', [{ file: OTHER, directions: ['up'] }], {}, bounds, 'shadow_1')).toBeUndefined();
  });
});
