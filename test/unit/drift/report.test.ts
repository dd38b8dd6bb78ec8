import { describe, expect, it } from 'vitest';

import { rollbackRequired } from '../../../daemon/app/verify.ts';
import { driftExitCode, driftJson, formatDriftReport } from '../../../daemon/drift/report.ts';
import { DriftTracker } from '../../../daemon/drift/tracker.ts';
import type { Finding } from '../../../daemon/drift/types.ts';

const column: Finding = {
  kind: 'schema',
  target: 'postgres',
  key: 'schema:postgres:column:users.nickname',
  message: 'column users.nickname text exists in the database, but no migration creates it',
  hint: 'write a migration that creates it',
};
const prisma: Finding = {
  kind: 'prisma-schema',
  key: 'prisma-schema:prisma/schema.prisma:abc',
  message: 'prisma/schema.prisma differs',
  hint: 'run prisma db pull',
  file: 'prisma/schema.prisma',
  line: 12,
  detail: '- a\n+ b',
};

describe('the verify report', () => {
  it('groups findings by kind, database first, with location, hint and indented detail', () => {
    expect(
      formatDriftReport({
        findings: [prisma, column],
        unchecked: [{ check: 'sqlc', reason: 'sqlc not found' }],
      }),
    ).toBe(
      [
        'Database differs from the migrations (1)',
        '  ✖ postgres: column users.nickname text exists in the database, but no migration creates it',
        '    fix: write a migration that creates it',
        '',
        'Prisma schema edited by hand (1)',
        '  ✖ prisma/schema.prisma:12: prisma/schema.prisma differs',
        '    fix: run prisma db pull',
        '      - a',
        '      + b',
        '',
        'Could not check (1)',
        '  ? sqlc: sqlc not found',
        '',
        '✖ drift: 2 findings, 1 check could not run',
      ].join('\n'),
    );
  });

  it('lists a skipped check apart from those that could not run', () => {
    const text = formatDriftReport({ findings: [], unchecked: [{ check: 'shadow:postgres', reason: 'may not create databases', skipped: true }] });
    expect(text).toContain('Skipped (1)\n  ? shadow:postgres: may not create databases');
    expect(text).not.toContain('Could not check');
    expect(text).toMatch(/✔ in sync/);
  });

  it('says in sync when there is nothing', () => {
    expect(formatDriftReport({ findings: [], unchecked: [] })).toMatch(/^✔ in sync/);
  });

  it.each([
    [[], [], 0],
    [[column], [], 1],
    [[], [{ check: 'postgres', reason: 'cannot reach' }], 2],
    [[column], [{ check: 'postgres', reason: 'cannot reach' }], 1],
    // The role may not create the shadow database: said, skipped, not a failure to check.
    [[], [{ check: 'shadow:postgres', reason: 'may not create databases', skipped: true }], 0],
  ] as const)('exit code for %j findings and %j unchecked is %i', (findings, unchecked, code) => {
    const report = { findings: [...findings], unchecked: [...unchecked] };
    expect(driftExitCode(report)).toBe(code);
    expect(driftJson(report)).toEqual({
      ok: code === 0,
      findings: report.findings,
      unchecked: report.unchecked,
    });
  });
});

describe('DriftTracker', () => {
  it('reports a finding once, and resolved only when the check that found it ran again without it', () => {
    const tracker = new DriftTracker();
    expect(tracker.update(['prisma', 'shadow:postgres'], [prisma, column])).toEqual({ appeared: [prisma, column], resolved: [] });
    expect(tracker.update(['prisma'], [prisma])).toEqual({
      appeared: [],
      resolved: [],
    });
    // The shadow check did not run: its finding stands.
    expect(tracker.findings).toEqual([prisma, column]);
    expect(tracker.update(['prisma', 'shadow:postgres'], [])).toEqual({
      appeared: [],
      resolved: [prisma, column],
    });
    expect(tracker.update(['prisma'], [prisma])).toEqual({
      appeared: [prisma],
      resolved: [],
    });
  });
});

describe('verify names only what it checked, and --rollback that could not run is exit 2', () => {
  it('a project without Prisma is not said to have an in-sync Prisma client', () => {
    const text = formatDriftReport({ findings: [], unchecked: [], checked: ['migrations:postgres', 'shadow:postgres', 'sqlc'] });
    expect(text).toBe('✔ in sync: the postgres database and the sqlc code all follow the migrations');
    expect(formatDriftReport({ findings: [], unchecked: [], checked: ['migrations:postgres'] })).toBe(
      '✔ in sync: the postgres database follows the migrations',
    );
    expect(formatDriftReport({ findings: [], unchecked: [], checked: ['migrations:postgres', 'migrations:clickhouse', 'prisma', 'sqlc'] })).toBe(
      '✔ in sync: the postgres and clickhouse databases, schema.prisma, the Prisma client and the sqlc code all follow the migrations',
    );
  });

  it('--rollback whose shadow database may not be created could not check: exit 2', () => {
    const unchecked = [{ check: 'rollback:postgres', reason: 'the role "app" may not create databases', skipped: true }];
    expect(driftExitCode({ findings: [], unchecked })).toBe(0);
    const asked = rollbackRequired(unchecked);
    expect(driftExitCode({ findings: [], unchecked: asked })).toBe(2);
    expect(asked[0]?.reason).toContain('--rollback asked for the rollback check');
  });
});
