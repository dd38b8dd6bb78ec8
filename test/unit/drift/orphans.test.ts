import { describe, expect, it } from 'vitest';

import { migrationFindings } from '../../../daemon/drift/migrations.ts';
import { assignOrphans, describeOrphans, versionsOf } from '../../../daemon/drift/orphans.ts';
import { checksum } from '../../../daemon/migrations/checksum.ts';
import type { MigrationFile, VersionRow } from '../../../daemon/migrations/types.ts';

const file = (version: number, name: string): MigrationFile => {
  const text = `-- +goose Up\nSELECT ${version};\n`;
  return { version, description: name, name: `${version}_${name}.sql`, path: `migrations/postgres/${version}_${name}.sql`, text, checksum: checksum(text) };
};
const row = (version: number): VersionRow => ({ version, isApplied: true, appliedAt: new Date(0) });

describe('versionsOf', () => {
  it('maps migration file names to versions and ignores the rest', () => {
    expect(versionsOf(['00001_a.sql', '00002_b.sql', 'README.md', 'nounderscore.sql', '3_c.go'])).toEqual(
      new Map([
        [1, '00001_a.sql'],
        [2, '00002_b.sql'],
      ]),
    );
  });
});

describe('assignOrphans', () => {
  it('gives each missing version to the first candidate that has its file, and leaves out the ones no candidate has', () => {
    const candidates = [
      { source: 'branch feature', checkout: 'feature', files: versionsOf(['1_a.sql', '3_c.sql']) },
      { source: 'branch main', checkout: 'main', files: versionsOf(['1_a.sql', '3_c.sql', '4_d.sql']) },
    ];
    expect(assignOrphans([3, 4, 5], candidates)).toEqual([
      { version: 3, source: 'branch feature', checkout: 'feature', file: '3_c.sql' },
      { version: 4, source: 'branch main', checkout: 'main', file: '4_d.sql' },
    ]);
  });

  it('describes them grouped by branch', () => {
    expect(
      describeOrphans([
        { version: 3, source: 'branch feature', checkout: 'feature', file: '3_c.sql' },
        { version: 4, source: 'branch feature', checkout: 'feature', file: '4_d.sql' },
        { version: 5, source: 'branch main', checkout: 'main', file: '5_e.sql' },
      ]),
    ).toBe('3_c.sql, 4_d.sql from branch feature; 5_e.sql from branch main');
  });
});

describe('migrationFindings with orphans', () => {
  const a = file(1, 'users');
  it('one migration-orphan finding per branch, with the way back, and no "restore the file" advice for them', () => {
    const findings = migrationFindings({
      target: 'postgres',
      dir: 'migrations/postgres',
      files: [a],
      rows: [row(0), row(1), row(2), row(3), row(4)],
      ledger: undefined,
      orphans: [
        { version: 2, source: 'branch feature/x', checkout: 'feature/x', file: '2_widgets.sql' },
        { version: 3, source: 'branch feature/x', checkout: 'feature/x', file: '3_gadgets.sql' },
      ],
    });
    expect(findings.map((f) => f.kind)).toEqual(['migration-orphan', 'migration-file-missing']);
    const [orphan, missing] = findings;
    expect(orphan!.message).toBe(
      '2_widgets.sql, 3_gadgets.sql are applied on postgres from branch feature/x, which is not checked out (the files exist only there)',
    );
    expect(orphan!.hint).toContain('schemasync down --orphans');
    expect(orphan!.hint).toContain('--follow-branch');
    expect(orphan!.hint).not.toContain('restore');
    // Version 4 is on no branch: a deleted file, as before.
    expect(missing!.key).toBe('migration-file-missing:postgres:4');
  });
});
