import { expect, it } from 'vitest';

import { ServerQueryError } from '../../../../daemon/targets/clickhouse/connection.ts';
import { clickhouseQueryFailure } from '../../../../daemon/targets/clickhouse/query-failure.ts';
import { readServerError } from '../../../../daemon/targets/clickhouse/server-error.ts';

it('ACCESS_DENIED on goose\'s table is a QUERY error naming the operation and the code, not "cannot reach"', () => {
  const server = readServerError(
    "Code: 497. DB::Exception: default: Not enough privileges. To execute this query it's necessary to have grant SELECT(version_id) ON app.goose_db_version. (ACCESS_DENIED) (version 24.3.1.1)",
  );
  const error = clickhouseQueryFailure(new ServerQueryError(server, 'SELECT …'), "read goose's version table goose_db_version");
  expect(error.code).toBe('QUERY');
  expect(error.message).toMatch(/^clickhouse could not read goose's version table goose_db_version \[497\]: default: Not enough privileges/);
  expect(error.message).toContain('the user lacks a grant');
  expect(error.message).not.toContain('cannot reach');
});

it('a failed wait on system.mutations (no server code) is a QUERY error too', () => {
  const error = clickhouseQueryFailure(new Error('the mutation 0000000001 (DELETE WHERE version_id = 3) was still not done after 60 s'), 'delete version 3');
  expect(error.code).toBe('QUERY');
  expect(error.message).toBe('clickhouse could not delete version 3: the mutation 0000000001 (DELETE WHERE version_id = 3) was still not done after 60 s');
});
