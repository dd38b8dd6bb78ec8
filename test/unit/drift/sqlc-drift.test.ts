import { describe, expect, it } from 'vitest';

import { sqlcCodeFinding, sqlcQueryFindings } from '../../../daemon/drift/sqlc.ts';
import { parseSqlcErrors } from '../../../daemon/tools/sqlc.ts';

const where = { projectRoot: '/work/app', configDir: '/work/app' };

describe('sqlcQueryFindings', () => {
  it('names the query file (project-relative) and line of each error sqlc located', () => {
    const output = '# package database\nqueries/users.sql:2:19: column "display_name" does not exist\n';
    const [finding, ...rest] = sqlcQueryFindings(parseSqlcErrors(output), {
      ...where,
      action: 'compile',
    });
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      kind: 'sqlc-query',
      key: 'sqlc-query:queries/users.sql:2:19:column "display_name" does not exist',
      message: 'the query at queries/users.sql:2:19 no longer compiles against the migrations (sqlc compile): column "display_name" does not exist',
      file: 'queries/users.sql',
      line: 2,
    });
    expect(finding!.hint).toContain('write a migration that brings back what it reads');
  });

  it('resolves file names against the folder of sqlc.yaml', () => {
    const [finding] = sqlcQueryFindings([{ file: 'queries/a.sql', line: 1, message: 'x' }], {
      projectRoot: '/work/app',
      configDir: '/work/app/db',
      action: 'vet',
    });
    expect(finding!.file).toBe('db/queries/a.sql');
  });
});

describe('sqlcCodeFinding', () => {
  const diff = [
    '--- a/server/gen/models.go',
    '+++ b/server/gen/models.go',
    '@@ -146,6 +146,7 @@',
    ' \tLastLoginAt  pgtype.Timestamptz',
    ' \tCreatedAt    pgtype.Timestamptz',
    ' \tUpdatedAt    pgtype.Timestamptz',
    '+\tNickname     pgtype.Text',
    ' }',
    '--- a/server/gen/users.sql.go',
    '+++ b/server/gen/users.sql.go',
    '@@ -23,1 +23,2 @@',
    '+type X struct{}',
    '',
  ].join('\n');

  it('names the files that differ and the first changed line', () => {
    const finding = sqlcCodeFinding(diff, where)!;
    expect(finding).toMatchObject({
      kind: 'sqlc-code',
      file: 'server/gen/models.go',
      line: 149,
      key: 'sqlc-code:server/gen/models.go,server/gen/users.sql.go',
    });
    expect(finding.message).toBe(
      'the generated Go code differs from what `sqlc generate` would write: 2 files are (models.go, users.sql.go) out of date or edited by hand',
    );
    expect(finding.detail).toContain('+\tNickname     pgtype.Text');
  });

  it('is undefined when the output holds no diff', () => {
    expect(sqlcCodeFinding('error parsing sqlc.yaml', where)).toBeUndefined();
  });
});
