import { describe, expect, it } from 'vitest';
import { FilenameError } from '../../../daemon/errors.ts';
import {
  isSqlMigrationName,
  isTimestampVersion,
  isUntouchedTemplate,
  newMigrationFileName,
  parseMigrationFilename,
  snakeCase,
  SQL_TEMPLATE,
} from '../../../daemon/migrations/filename.ts';
import { clusterMigrationTemplate } from '../../../daemon/targets/clickhouse/cluster-ddl.ts';

describe('parseMigrationFilename', () => {
  it.each([
    ['00001_create_users.sql', 1, 'create_users'],
    ['20240101120000_add.users-v2.sql', 20240101120000, 'add.users-v2'],
    ['+5_plus.sql', 5, 'plus'],
    ['00012_.sql', 12, ''],
    ['7_a_b_c.sql', 7, 'a_b_c'],
    ['migrations/postgres/3_x.sql', 3, 'x'],
    ['9007199254740991_max.sql', Number.MAX_SAFE_INTEGER, 'max'],
  ])('%s → version %d, description %j', (name, version, description) => {
    expect(parseMigrationFilename(name)).toEqual({ version, description });
  });

  it.each([
    ['create_users.sql', 'failed to parse version from migration file: create_users.sql: strconv.ParseInt: parsing "create": invalid syntax'],
    ['00001.sql', "no filename separator '_' found"],
    ['0_zero.sql', 'migration version must be greater than zero'],
    ['-3_negative.sql', 'migration version must be greater than zero'],
    [' 1_space.sql', 'failed to parse version from migration file:  1_space.sql: strconv.ParseInt: parsing " 1": invalid syntax'],
    ['1a_x.sql', 'failed to parse version from migration file: 1a_x.sql: strconv.ParseInt: parsing "1a": invalid syntax'],
    ['_x.sql', 'failed to parse version from migration file: _x.sql: strconv.ParseInt: parsing "": invalid syntax'],
    ['9223372036854775808_x.sql', 'failed to parse version from migration file: 9223372036854775808_x.sql: strconv.ParseInt: parsing "9223372036854775808": value out of range'],
    ['9007199254740992_x.sql', 'migration version 9007199254740992 is larger than 9007199254740991, the largest version schemasync supports'],
    ['1_x.txt', 'migration file does not have .sql or .go file extension'],
  ])('refuses %j', (name, reason) => {
    expect(() => parseMigrationFilename(name)).toThrowError(new FilenameError(name, reason));
  });

  it('sees only lower-case .sql as SQL migrations', () => {
    expect([isSqlMigrationName('1_a.sql'), isSqlMigrationName('1_a.SQL'), isSqlMigrationName('1_a.sql.bak')]).toEqual([true, false, false]);
  });
});

describe('goose create naming', () => {
  const now = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

  it.each([
    ['add users', 'add_users'],
    ['AddUsers', 'addusers'],
    ['v2.1 fix', 'v2_1_fix'],
    ['add-users!', 'add_users_'],
    ['add users!!', 'add_users'],
    ['  --leading', 'leading'],
    ['Ünïcode Nâme', 'ünïcode_nâme'],
    ['a--b', 'a_b'],
  ])('snake-cases %j as %j', (name, snake) => {
    expect(snakeCase(name)).toBe(snake);
  });

  it('uses the UTC time as the version', () => {
    expect(newMigrationFileName('add users', now)).toBe('20240102030405_add_users.sql');
    expect(newMigrationFileName('x', new Date('2024-12-31T23:59:59-05:00'))).toBe('20250101045959_x.sql');
  });

  it('numbers sequentially after the highest sequential version, ignoring timestamps', () => {
    expect(newMigrationFileName('first', now, { sequential: true })).toBe('00001_first.sql');
    expect(newMigrationFileName('next', now, { sequential: true, existingVersions: [1, 7, 20240101120000] })).toBe('00008_next.sql');
    expect(newMigrationFileName('big', now, { sequential: true, existingVersions: [123456] })).toBe('123457_big.sql');
  });

  it('tells timestamp versions from sequential ones as goose does', () => {
    expect([20240101120000, 20240229000000, 20230229000000, 20241301000000, 19691231235959, 1, 99999].map(isTimestampVersion)).toEqual([
      true, true, false, false, false, false, false,
    ]);
  });

  it('knows a template that was not filled in, whatever its comments, and one that was', () => {
    expect(isUntouchedTemplate(SQL_TEMPLATE)).toBe(true);
    expect(isUntouchedTemplate(clusterMigrationTemplate('events'))).toBe(true);
    expect(isUntouchedTemplate(SQL_TEMPLATE.replaceAll('\n', '\r\n'))).toBe(true);
    expect(isUntouchedTemplate(SQL_TEMPLATE.replace("SELECT 'up SQL query';", 'CREATE TABLE t (id int);'))).toBe(false);
    expect(isUntouchedTemplate(SQL_TEMPLATE.replace("SELECT 'up SQL query';", "SELECT 'up SQL query';\nCREATE TABLE t (id int);"))).toBe(false);
    expect(isUntouchedTemplate('-- +goose Up\n-- +goose Down\n')).toBe(false);
  });

  it('has goose v3.27.3\'s SQL template', () => {
    expect(SQL_TEMPLATE).toBe("-- +goose Up\nSELECT 'up SQL query';\n\n-- +goose Down\nSELECT 'down SQL query';\n");
  });
});
