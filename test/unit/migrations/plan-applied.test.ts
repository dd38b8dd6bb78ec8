import { describe, expect, it } from 'vitest';
import { appliedVersions as driftAppliedVersions } from '../../../daemon/drift/migrations.ts';
import { appliedVersions, appliedWithoutFile, currentVersion, latestRows, planDown, planUp, statusRows } from '../../../daemon/migrations/plan.ts';
import type { MigrationFile, VersionRow } from '../../../daemon/migrations/types.ts';

/**
 * One meaning for "applied" (goose's: the newest row per version decides), read from version
 * tables as goose writes them. Modern goose (v2.5+) inserts (v, true) on up and deletes the
 * version's rows on down; legacy goose inserted (v, false) on down. Each history is replayed into
 * rows in the list order of PostgreSQL (newest id first) and ClickHouse (highest version first).
 */
type Step = ['up' | 'down', number];

const file = (version: number): MigrationFile => {
  const name = `${String(version).padStart(5, '0')}_m.sql`;
  return { version, description: 'm', name, path: `migrations/${name}`, text: '-- +goose Up\n', checksum: 'x' };
};
const files = [1, 2, 3, 4].map(file);

function replay(steps: Step[], options: { legacy: boolean; order: 'postgres' | 'clickhouse' }): VersionRow[] {
  let rows: Array<VersionRow & { id: number }> = [{ id: 0, version: 0, isApplied: true, appliedAt: new Date(0) }];
  steps.forEach(([direction, version], index) => {
    const id = index + 1;
    const appliedAt = new Date(id * 60_000);
    if (direction === 'up') rows.push({ id, version, isApplied: true, appliedAt });
    else if (options.legacy) rows.push({ id, version, isApplied: false, appliedAt });
    else rows = rows.filter((row) => row.version !== version);
  });
  const sorted = options.order === 'postgres' ? rows.sort((a, b) => b.id - a.id) : rows.sort((a, b) => b.version - a.version || b.id - a.id);
  return sorted.map(({ version, isApplied, appliedAt }) => ({ version, isApplied, appliedAt }));
}

interface Expected {
  applied: number[];
  /** goose's current version per list order. */
  current: { postgres: number; clickhouse: number };
  /** What `up` applies (allowMissing off), or the error it throws. */
  up: number[] | RegExp;
  /** What `up --allow-missing` applies. */
  upAllowMissing: number[];
}

const up = (...versions: number[]): Step[] => versions.map((version) => ['up', version]);
const down = (version: number): Step => ['down', version];

const histories: Array<[string, Step[], { modern: Expected; legacy: Expected }]> = [
  [
    'apply 1,2,3',
    up(1, 2, 3),
    {
      modern: { applied: [1, 2, 3], current: { postgres: 3, clickhouse: 3 }, up: [4], upAllowMissing: [4] },
      legacy: { applied: [1, 2, 3], current: { postgres: 3, clickhouse: 3 }, up: [4], upAllowMissing: [4] },
    },
  ],
  [
    'apply 1,2,3; down 3',
    [...up(1, 2, 3), down(3)],
    {
      modern: { applied: [1, 2], current: { postgres: 2, clickhouse: 2 }, up: [3, 4], upAllowMissing: [3, 4] },
      // goose's up counts any row as present: the rolled-back 3 is not applied again (status says pending).
      legacy: { applied: [1, 2], current: { postgres: 2, clickhouse: 2 }, up: [4], upAllowMissing: [4] },
    },
  ],
  [
    'apply 1,2,3; down 3; up 3',
    [...up(1, 2, 3), down(3), ...up(3)],
    {
      modern: { applied: [1, 2, 3], current: { postgres: 3, clickhouse: 3 }, up: [4], upAllowMissing: [4] },
      legacy: { applied: [1, 2, 3], current: { postgres: 3, clickhouse: 3 }, up: [4], upAllowMissing: [4] },
    },
  ],
  [
    'apply 1,2,3; down 2 out of order',
    [...up(1, 2, 3), down(2)],
    {
      modern: { applied: [1, 3], current: { postgres: 3, clickhouse: 3 }, up: /found 1 missing migrations before current version 3/, upAllowMissing: [2, 4] },
      legacy: { applied: [1, 3], current: { postgres: 3, clickhouse: 3 }, up: [4], upAllowMissing: [4] },
    },
  ],
  [
    'apply 1,3; 2 out of order (allow-missing)',
    up(1, 3, 2),
    {
      modern: { applied: [1, 2, 3], current: { postgres: 2, clickhouse: 3 }, up: [4], upAllowMissing: [4] },
      legacy: { applied: [1, 2, 3], current: { postgres: 2, clickhouse: 3 }, up: [4], upAllowMissing: [4] },
    },
  ],
  [
    'apply 1,2,3; down 3; down 2; up 2',
    [...up(1, 2, 3), down(3), down(2), ...up(2)],
    {
      modern: { applied: [1, 2], current: { postgres: 2, clickhouse: 2 }, up: [3, 4], upAllowMissing: [3, 4] },
      legacy: { applied: [1, 2], current: { postgres: 2, clickhouse: 2 }, up: [4], upAllowMissing: [4] },
    },
  ],
  [
    'apply 1,2,5 (5 has no file); down 2',
    [...up(1, 2, 5), down(2)],
    {
      modern: { applied: [1, 5], current: { postgres: 5, clickhouse: 5 }, up: /found 3 missing migrations before current version 5/, upAllowMissing: [2, 3, 4] },
      legacy: { applied: [1, 5], current: { postgres: 5, clickhouse: 5 }, up: /found 2 missing migrations before current version 5/, upAllowMissing: [3, 4] },
    },
  ],
];

const cases = histories.flatMap(([name, steps, expected]) =>
  (['modern', 'legacy'] as const).flatMap((mode) =>
    (['postgres', 'clickhouse'] as const).map((order) => ({ name: `${name} (${mode} goose, ${order} order)`, steps, mode, order, expected: expected[mode] })),
  ),
);

describe('one meaning for "applied" over goose histories', () => {
  it.each(cases)('$name', ({ steps, mode, order, expected }) => {
    const rows = replay(steps, { legacy: mode === 'legacy', order });
    const applied = [...appliedVersions(rows)].sort((a, b) => a - b);
    expect(applied).toEqual(expected.applied);
    // drift, the schema log and ledger adoption read the same set.
    expect(driftAppliedVersions(rows)).toEqual(appliedVersions(rows));
    expect(currentVersion(rows)).toBe(expected.current[order]);

    const status = statusRows('t', files, rows);
    expect(status.filter((row) => row.state === 'applied').map((row) => row.version)).toEqual(applied.filter((v) => v <= 4));
    expect(status.filter((row) => row.state === 'missing').map((row) => row.version)).toEqual(appliedWithoutFile(files, rows));

    const plan = () => planUp(files, rows, { allowMissing: false }).toApply.map((f) => f.version);
    if (expected.up instanceof RegExp) expect(plan).toThrowError(expected.up);
    else expect(plan()).toEqual(expected.up);
    expect(planUp(files, rows, { allowMissing: true }).toApply.map((f) => f.version)).toEqual(expected.upAllowMissing);
  });

  it('a version whose newest row is a legacy roll-back is not applied, whichever row the list shows first', () => {
    const at = (minute: number) => new Date(minute * 60_000);
    const rows: VersionRow[] = [
      { version: 3, isApplied: true, appliedAt: at(1) },
      { version: 3, isApplied: false, appliedAt: at(2) },
      { version: 1, isApplied: true, appliedAt: at(0) },
    ];
    expect(latestRows(rows).get(3)?.isApplied).toBe(false);
    expect([...appliedVersions(rows)]).toEqual([1]);
    expect(currentVersion(rows)).toBe(1);
    expect(planDown([file(1), file(3)], rows, {}).map((f) => f.version)).toEqual([1]);
  });

  it('down-to 0 after an out-of-order apply follows apply order on PostgreSQL', () => {
    const rows = replay(up(1, 3, 2), { legacy: false, order: 'postgres' });
    expect(planDown(files, rows, { toVersion: 0 }).map((f) => f.version)).toEqual([2, 3, 1]);
  });
});
