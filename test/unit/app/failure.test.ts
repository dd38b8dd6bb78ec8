import { describe, expect, it } from 'vitest';

import { failureLines } from '../../../daemon/app/failure.ts';
import { describeApplied } from '../../../daemon/pipeline/steps/apply.ts';
import { MigrationError, type MigrationErrorDetails } from '../../../daemon/errors.ts';

const details = (overrides: Partial<MigrationErrorDetails>): MigrationErrorDetails => ({
  target: 'postgres',
  file: 'migrations/postgres/00003_c.sql',
  direction: 'up',
  statementIndex: 1,
  statement: 'SELECT nope',
  serverCode: '42703',
  serverMessage: 'column "nope" does not exist',
  appliedStatements: [],
  rolledBack: true,
  ...overrides,
});

describe('failureLines: what a failure left behind, said once and truly', () => {
  it('after a failed down, the migrations rolled back before it stay rolled back (not "applied")', () => {
    const error = new MigrationError(details({ direction: 'down', file: 'migrations/postgres/00001_a.sql' }));
    const lines = failureLines(error, [
      { file: 'migrations/postgres/00003_c.sql', direction: 'down' },
      { file: 'migrations/postgres/00002_b.sql', direction: 'down' },
    ]);
    expect(lines).toContain('2 migrations rolled back before the failure stay rolled back');
    expect(lines.join('\n')).not.toContain('applied before the failure');
  });

  it('after a failed redo, the version row is gone: never "the version table is unchanged"', () => {
    const error = new MigrationError(details({}));
    const lines = failureLines(error, [{ file: 'migrations/postgres/00003_c.sql', direction: 'down' }]);
    const text = lines.join('\n');
    expect(text).not.toContain('version table is unchanged');
    expect(text).toContain('its Down had already run, so the version is no longer recorded');
    expect(text).toContain('schemasync up');
    expect(text).not.toContain('rolled back before the failure');
  });

  it('a NO TRANSACTION PostgreSQL file blames the annotation, and one statement is "statement 1"', () => {
    const error = new MigrationError(details({ appliedStatements: [0], rolledBack: false }));
    const [, line] = failureLines(error);
    expect(line).toContain('statement 1 of migrations/postgres/00003_c.sql ran before the failure and STAY APPLIED (the file is marked NO TRANSACTION)');
    expect(line).not.toContain('has no transactions');
  });

  it('a ClickHouse failure that already says what stays applied is not explained twice', () => {
    const error = new MigrationError(details({ target: 'clickhouse', appliedStatements: [0], rolledBack: false }));
    error.message += ' ClickHouse has no transactions: statement 1 of 00003_c.sql (up) already ran and stay applied.';
    expect(failureLines(error)).toEqual([error.message]);
  });

  it('a failed up after earlier ones names those that stay applied', () => {
    const error = new MigrationError(details({}));
    expect(failureLines(error, [{ file: 'migrations/postgres/00002_b.sql', direction: 'up' }])).toEqual([
      error.message,
      'rolled back: migrations/postgres/00003_c.sql left no trace and the version table is unchanged',
      '1 migration applied before the failure stays applied',
    ]);
  });
});

describe('describeApplied: the apply step counts a re-applied file once', () => {
  it('one re-applied file is "re-applied 1 migration", not "applied 2 migrations"', () => {
    const half = { file: 'a.sql', version: 1, durationMs: 5, reapplied: true as const };
    expect(
      describeApplied([
        { ...half, direction: 'down' },
        { ...half, direction: 'up' },
      ]),
    ).toBe('re-applied 1 migration');
    expect(
      describeApplied([
        { ...half, direction: 'down' },
        { ...half, direction: 'up' },
        { file: 'b.sql', version: 2, direction: 'up', durationMs: 3 },
      ]),
    ).toBe('applied 1 migration, re-applied 1 migration');
    expect(describeApplied([])).toBeUndefined();
  });
});
