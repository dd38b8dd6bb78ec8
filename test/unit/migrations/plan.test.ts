import { describe, expect, it } from 'vitest';
import { PlanError } from '../../../daemon/errors.ts';
import { currentVersion, findDuplicateVersions, planDown, planUp, statusRows } from '../../../daemon/migrations/plan.ts';
import type { MigrationFile, VersionRow } from '../../../daemon/migrations/types.ts';

const file = (version: number, name = `${String(version).padStart(5, '0')}_m.sql`): MigrationFile => ({
  version,
  description: 'm',
  name,
  path: `migrations/postgres/${name}`,
  text: '-- +goose Up\n',
  checksum: 'x',
});
const at = (minute: number) => new Date(Date.UTC(2024, 0, 1, 0, minute));
/** Rows in PostgreSQL list order (newest id first), built from apply order. */
const applied = (...versions: number[]): VersionRow[] =>
  [0, ...versions].map((version, i) => ({ version, isApplied: true, appliedAt: at(i) })).reverse();
const versions = (files: MigrationFile[]) => files.map((f) => f.version);

describe('currentVersion (goose CLI rule)', () => {
  it.each<[string, VersionRow[], number]>([
    ['no rows', [], 0],
    ['only the version-0 row', applied(), 0],
    ['the most recently applied, not the highest', applied(1, 3, 2), 2],
    [
      'skips a version whose newest row is a legacy roll-back',
      [
        { version: 3, isApplied: false, appliedAt: at(5) },
        { version: 3, isApplied: true, appliedAt: at(4) },
        { version: 2, isApplied: true, appliedAt: at(3) },
      ],
      2,
    ],
  ])('%s', (_name, rows, expected) => {
    expect(currentVersion(rows)).toBe(expected);
  });
});

describe('planUp', () => {
  const files = [file(1), file(2), file(3), file(4)];

  it('applies everything on a fresh database', () => {
    const plan = planUp(files, applied(), { allowMissing: false });
    expect(versions(plan.toApply)).toEqual([1, 2, 3, 4]);
    expect(plan).toMatchObject({ outOfOrder: [], missingFiles: [], currentVersion: 0 });
  });

  it('applies only pending files, up to toVersion', () => {
    expect(versions(planUp(files, applied(1, 2), { allowMissing: false }).toApply)).toEqual([3, 4]);
    expect(versions(planUp(files, applied(1), { allowMissing: false, toVersion: 3 }).toApply)).toEqual([2, 3]);
    expect(planUp(files, applied(1, 2, 3, 4), { allowMissing: false }).toApply).toEqual([]);
  });

  it("refuses out-of-order files with goose's message", () => {
    expect(() => planUp(files, applied(1, 4), { allowMissing: false })).toThrowError(
      new PlanError(
        'error: found 2 missing migrations before current version 4:\n\tversion 2: migrations/postgres/00002_m.sql\n\tversion 3: migrations/postgres/00003_m.sql',
      ),
    );
  });

  it('applies out-of-order files first when allowed', () => {
    const plan = planUp([...files, file(6)], applied(1, 4), { allowMissing: true });
    expect(versions(plan.toApply)).toEqual([2, 3, 6]);
    expect(versions(plan.outOfOrder)).toEqual([2, 3]);
    expect(plan.currentVersion).toBe(4);
  });

  it('reports applied versions that have no file, and counts them for the database maximum', () => {
    const plan = planUp([file(1), file(2)], applied(1, 5), { allowMissing: true });
    expect(plan.missingFiles).toEqual([5]);
    expect(versions(plan.outOfOrder)).toEqual([2]);
  });

  it('counts legacy roll-back rows as present, as goose up does', () => {
    const rows: VersionRow[] = [{ version: 2, isApplied: false, appliedAt: at(2) }, ...applied(1)];
    expect(versions(planUp(files, rows, { allowMissing: false }).toApply)).toEqual([3, 4]);
  });
});

describe('planDown', () => {
  const files = [file(1), file(2), file(3)];

  it('rolls back the current version', () => {
    expect(versions(planDown(files, applied(1, 2, 3), {}))).toEqual([3]);
    expect(versions(planDown(files, applied(1, 3, 2), {}))).toEqual([2]);
  });

  it('refuses at version 0', () => {
    expect(() => planDown(files, applied(), {})).toThrowError(new PlanError('no migration to roll back: the current version is 0'));
  });

  it('refuses when the current version has no file, naming it', () => {
    expect(() => planDown([file(1)], applied(1, 7), {})).toThrowError(/^migration 7: no current version found: version 7 is applied but has no migration file/);
  });

  it('down-to follows apply order and stops at the target', () => {
    expect(versions(planDown(files, applied(1, 3, 2), { toVersion: 1 }))).toEqual([2, 3]);
    expect(versions(planDown(files, applied(1, 2, 3), { toVersion: 0 }))).toEqual([3, 2, 1]);
    expect(planDown(files, applied(1, 2), { toVersion: 2 })).toEqual([]);
    expect(planDown(files, applied(), { toVersion: 0 })).toEqual([]);
  });

  it('down-to refuses before rolling anything back when a version on the way has no file', () => {
    expect(() => planDown([file(1), file(3)], applied(1, 2, 3), { toVersion: 0 })).toThrowError(/^migration 2: no current version found/);
  });
});

describe('findDuplicateVersions', () => {
  it('is undefined without duplicates', () => {
    expect(findDuplicateVersions([file(1), file(2)])).toBeUndefined();
  });

  it('names both files of each duplicated version', () => {
    const error = findDuplicateVersions([file(1, '001_a.sql'), file(1, '1_b.sql'), file(2)]);
    expect(error).toBeInstanceOf(PlanError);
    expect(error!.message).toContain('version 1: migrations/postgres/001_a.sql and migrations/postgres/1_b.sql');
  });
});

describe('statusRows', () => {
  it('lists files in version order with a missing row placed by version', () => {
    const rows = applied(1, 4, 2);
    expect(statusRows('postgres', [file(3), file(1), file(2)], rows)).toEqual([
      { target: 'postgres', version: 1, file: '00001_m.sql', state: 'applied', appliedAt: at(1) },
      { target: 'postgres', version: 2, file: '00002_m.sql', state: 'applied', appliedAt: at(3) },
      { target: 'postgres', version: 3, file: '00003_m.sql', state: 'pending', appliedAt: null },
      { target: 'postgres', version: 4, file: null, state: 'missing', appliedAt: at(2) },
    ]);
  });

  it('uses the newest row of a version, as goose status does', () => {
    const rows: VersionRow[] = [
      { version: 1, isApplied: true, appliedAt: at(1) },
      { version: 1, isApplied: false, appliedAt: at(9) },
      { version: 0, isApplied: true, appliedAt: at(0) },
    ];
    expect(statusRows('clickhouse', [file(1)], rows)).toEqual([{ target: 'clickhouse', version: 1, file: '00001_m.sql', state: 'pending', appliedAt: null }]);
  });
});
