import { describe, expect, it } from 'vitest';

import { parseClickHouseUrl } from '../../../../daemon/targets/clickhouse/connection.ts';
import * as sql from '../../../../daemon/targets/clickhouse/queries.ts';
import { errorOffset, readServerError, rejectsMutationsSync, unknownSetting } from '../../../../daemon/targets/clickhouse/server-error.ts';

describe('readServerError', () => {
  it.each([
    [
      'ClickHouse 18.16',
      "Code: 60, e.displayText() = DB::Exception: Table db.t doesn't exist., e.what() = DB::Exception\n",
      { code: '60', message: "Table db.t doesn't exist." },
    ],
    [
      '18.16 with a stack trace',
      'Code: 50, e.displayText() = DB::Exception: Unknown data type family: NoSuchType, e.what() = DB::Exception, Stack trace:\n\n0. clickhouse(StackTrace::StackTrace()+0x16)',
      { code: '50', message: 'Unknown data type family: NoSuchType' },
    ],
    [
      'current servers',
      "Code: 62. DB::Exception: Syntax error: failed at position 8 ('FROMM') (line 1, col 8): FROMM x. Expected one of: … (SYNTAX_ERROR) (version 24.8.1.1)",
      { code: '62', message: "Syntax error: failed at position 8 ('FROMM') (line 1, col 8): FROMM x. Expected one of: … (SYNTAX_ERROR) (version 24.8.1.1)" },
    ],
    ['no code in the text, code from the client', 'Table is gone', { code: '60', message: 'Table is gone' }],
  ])('reads %s', (_name, text, expected) => {
    expect(readServerError(text, _name.startsWith('no code') ? '60' : undefined)).toEqual(expected);
  });
});

describe('errorOffset', () => {
  it('turns the 1-based byte position into a code-point offset', () => {
    expect(errorOffset('Syntax error: failed at position 8: FROMM x', 'SELECT 1 FROMM x')).toBe(8);
    // "é" is two bytes, "😀" four: byte 16 is the "X", the 12th code point.
    expect(errorOffset('failed at position 16 (end of query)', "SELECT 'é😀'X")).toBe(12);
  });
  it('is undefined without a position or outside the statement', () => {
    expect(errorOffset('Unknown table', 'SELECT 1')).toBeUndefined();
    expect(errorOffset('failed at position 99', 'SELECT 1')).toBeUndefined();
  });
});

describe('rejectsMutationsSync', () => {
  it('recognises 18.x refusing the SETTINGS clause and servers without the setting', () => {
    expect(rejectsMutationsSync({ code: '62', message: 'Syntax error: failed at position 35: SETTINGS mutations_sync = 2. Expected one of: Comma' })).toBe(
      true,
    );
    expect(rejectsMutationsSync({ code: '115', message: 'Unknown setting mutations_sync' })).toBe(true);
  });
  it('leaves every other failure alone', () => {
    expect(rejectsMutationsSync({ code: '62', message: 'Syntax error: failed at position 1: ALTR TABLE' })).toBe(false);
    expect(rejectsMutationsSync({ code: '60', message: "Table doesn't exist" })).toBe(false);
    expect(rejectsMutationsSync({ message: 'socket hang up' })).toBe(false);
  });
});

describe('version-table SQL', () => {
  it("is goose's, with inlined validated values", () => {
    expect(sql.createVersionTable('goose_db_version')).toBe(
      'CREATE TABLE IF NOT EXISTS goose_db_version ( version_id Int64, is_applied UInt8, date Date default now(), tstamp DateTime default now() ) ENGINE = MergeTree() ORDER BY (date)',
    );
    expect(sql.insertVersion('goose_db_version', 20250101100000)).toBe('INSERT INTO goose_db_version (version_id, is_applied) VALUES (20250101100000, 1)');
    expect(sql.deleteVersionSync('db.versions', 3)).toBe('ALTER TABLE db.versions DELETE WHERE version_id = 3 SETTINGS mutations_sync = 2');
    expect(sql.listVersions('goose_db_version')).toMatch(/ORDER BY version_id DESC$/);
  });
  it('refuses names and values it cannot inline safely', () => {
    expect(() => sql.insertVersion('t; DROP TABLE x', 1)).toThrow(/not a plain ClickHouse table name/);
    expect(() => sql.insertVersion('t', 1.5)).toThrow(/not a safe integer/);
    expect(() => sql.pendingMutations("db' OR 1", 't')).toThrow(/not a plain/);
  });
});

describe('parseClickHouseUrl', () => {
  it('splits credentials and database out of the URL', () => {
    expect(parseClickHouseUrl('http://alice:p%40ss@localhost:8123/analytics')).toEqual({
      origin: 'http://localhost:8123',
      username: 'alice',
      password: 'p@ss',
      database: 'analytics',
      settings: {},
    });
    expect(parseClickHouseUrl('https://ch.example:8443')).toMatchObject({ username: 'default', password: '', database: 'default' });
  });
  it('passes the query string on as settings for every query', () => {
    expect(parseClickHouseUrl('http://localhost:8123/db?distributed_ddl_task_timeout=30&insert_quorum_timeout=5000').settings).toEqual({
      distributed_ddl_task_timeout: '30',
      insert_quorum_timeout: '5000',
    });
  });
  it('refuses the native protocol with a redacted URL', () => {
    expect(() => parseClickHouseUrl('clickhouse://bob:hunter2@host:9000/db')).toThrow(/must use http or https/);
    expect(() => parseClickHouseUrl('clickhouse://bob:hunter2@host:9000/db')).not.toThrow(/hunter2/);
  });
});

describe('unknownSetting', () => {
  const names = ['allow_dimensions_outside_sorting_key', 'distributed_ddl_task_timeout'];
  it.each([
    [
      '18.16',
      'Code: 115, e.displayText() = DB::Exception: Unknown setting allow_dimensions_outside_sorting_key, e.what() = DB::Exception',
      'allow_dimensions_outside_sorting_key',
    ],
    [
      'current servers',
      "Code: 115. DB::Exception: Setting allow_dimensions_outside_sorting_key is neither a builtin setting nor started with the prefix 'custom_' registered for user-defined settings. (UNKNOWN_SETTING) (version 24.8.1.1)",
      'allow_dimensions_outside_sorting_key',
    ],
    ['another setting than the URL has', 'Code: 115, e.displayText() = DB::Exception: Unknown setting mutations_sync, e.what() = DB::Exception', undefined],
    ['another error', "Code: 81, e.displayText() = DB::Exception: Database distributed_ddl_task_timeout doesn't exist, e.what() = DB::Exception", undefined],
  ])('%s', (_server, text, setting) => {
    expect(unknownSetting(readServerError(text), names)).toBe(setting);
  });
});
