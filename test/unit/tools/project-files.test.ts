import { expect, it } from 'vitest';

import { sqlcPaths } from '../../../daemon/tools/project-files.ts';

it('sqlcPaths reads every postgresql block of a YAML or JSON config, and only those', () => {
  const json = JSON.stringify({
    version: '2',
    sql: [
      { engine: 'postgresql', schema: 'db/migrations', queries: ['db/queries'], gen: { go: { out: 'gen/a' } } },
      { engine: 'mysql', schema: 'legacy/schema.sql', queries: 'legacy/queries', gen: { go: { out: 'gen/legacy' } } },
      { engine: 'postgresql', schema: 'db/migrations', queries: 'reports/queries', codegen: [{ out: 'gen/py' }] },
    ],
  });
  expect(sqlcPaths(json, '/p/sqlc.json')).toEqual({
    schema: ['/p/db/migrations', '/p/db/migrations'],
    queries: ['/p/db/queries', '/p/reports/queries'],
    outputs: ['/p/gen/a', '/p/gen/py'],
  });
  const yaml = "version: '2'\nsql:\n  - engine: postgresql\n    schema: ../migrations\n    queries: queries\n";
  expect(sqlcPaths(yaml, '/p/server/sqlc.yaml')).toMatchObject({ schema: ['/p/migrations'], queries: ['/p/server/queries'] });
  expect(() => sqlcPaths('{ nope', '/p/sqlc.json')).toThrow(/not valid JSON/);
});
