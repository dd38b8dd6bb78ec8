import { describe, expect, it } from 'vitest';

import { MigrationError } from '../../../daemon/errors.ts';
import { formatDuration, runEndEvent, summarizeRun, type RunReport } from '../../../daemon/pipeline/report.ts';

const okRun: RunReport = {
  id: 3,
  ok: true,
  startedAt: new Date('2025-01-01T10:00:00Z'),
  durationMs: 1840,
  trigger: ['migrations/postgres/20250101_x.sql'],
  steps: [
    { name: 'validate', status: 'ok', durationMs: 3 },
    { name: 'apply', status: 'ok', durationMs: 412, detail: 'applied 2 migrations' },
    { name: 'prisma', status: 'ok', durationMs: 1210 },
    { name: 'sqlc', status: 'ok', durationMs: 190 },
    { name: 'drift', status: 'skipped', durationMs: 0 },
  ],
};

const failure = new MigrationError({
  target: 'postgres',
  file: 'migrations/postgres/20250101_x.sql',
  direction: 'up',
  statementIndex: 0,
  statement: 'CREATE TABL x ()',
  line: 3,
  column: 1,
  serverCode: '42601',
  serverMessage: 'syntax error at or near "TABL"',
  appliedStatements: [],
  rolledBack: true,
});

const failedRun: RunReport = {
  ...okRun,
  ok: false,
  durationMs: 230,
  steps: [
    { name: 'validate', status: 'ok', durationMs: 2 },
    { name: 'apply', status: 'failed', durationMs: 200, error: failure },
    { name: 'prisma', status: 'skipped', durationMs: 0 },
  ],
};

describe('runEndEvent', () => {
  it('has exactly the run:end shape, with no error objects or details', () => {
    expect(runEndEvent(failedRun)).toStrictEqual({
      event: 'run:end',
      ok: false,
      durationMs: 230,
      steps: [
        { name: 'validate', status: 'ok', durationMs: 2 },
        { name: 'apply', status: 'failed', durationMs: 200 },
        { name: 'prisma', status: 'skipped', durationMs: 0 },
      ],
    });
    expect(JSON.parse(JSON.stringify(runEndEvent(okRun)))).toEqual(runEndEvent(okRun));
  });
});

describe('summarizeRun', () => {
  it('times every step that ran, with its detail, on success', () => {
    expect(summarizeRun(okRun)).toBe('✔ synced in 1.84 s · validate 3 ms · apply 412 ms (2 migrations) · prisma 1.21 s · sqlc 190 ms');
  });

  it('names the failed step and the first line of its error on failure', () => {
    expect(summarizeRun(failedRun)).toBe(
      '✖ failed in 230 ms · apply failed: migrations/postgres/20250101_x.sql:3:1: up statement 1 failed on postgres [42601]: syntax error at or near "TABL"',
    );
  });

  it('keeps a multi-line error to its first line and falls back to the detail', () => {
    const run: RunReport = {
      ...failedRun,
      steps: [{ name: 'sqlc', status: 'failed', durationMs: 5, detail: 'sqlc exited with 1\nqueries/x.sql:1:1: oops' }],
    };
    expect(summarizeRun(run)).toBe('✖ failed in 230 ms · sqlc failed: sqlc exited with 1');
  });

  it('keeps details that are not counts of applied migrations', () => {
    const run: RunReport = { ...okRun, steps: [{ name: 'prisma', status: 'ok', durationMs: 40, detail: 'schema unchanged' }] };
    expect(summarizeRun(run)).toBe('✔ synced in 1.84 s · prisma 40 ms (schema unchanged)');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [3.4, '3 ms'],
    [999, '999 ms'],
    [1000, '1.00 s'],
    [1840, '1.84 s'],
    [12_345, '12.3 s'],
    [125_000, '2 min 05 s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
