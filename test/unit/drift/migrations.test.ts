import { describe, expect, it } from 'vitest';

import { migrationFindings, migrationOrderFindings } from '../../../daemon/drift/migrations.ts';
import { checksum } from '../../../daemon/migrations/checksum.ts';
import { SQL_TEMPLATE } from '../../../daemon/migrations/filename.ts';
import type { MigrationFile, VersionRow } from '../../../daemon/migrations/types.ts';
import type { LedgerEntry } from '../../../daemon/targets/target.ts';

const file = (version: number, name: string, text = `-- +goose Up\nSELECT ${version};\n`): MigrationFile => ({
  version,
  description: name,
  name: `${version}_${name}.sql`,
  path: `migrations/postgres/${version}_${name}.sql`,
  text,
  checksum: checksum(text),
});
const row = (version: number, isApplied = true): VersionRow => ({ version, isApplied, appliedAt: new Date(0) });
const entry = (f: MigrationFile, text = f.text): LedgerEntry => ({
  version: f.version,
  file: f.name,
  checksum: checksum(text),
  text,
  appliedAt: new Date(0),
  appliedBy: 'schemasync',
});
const facts = (files: MigrationFile[], rows: VersionRow[], ledger?: LedgerEntry[]) => ({ target: 'postgres', dir: 'migrations/postgres', files, rows, ledger });

describe('migrationFindings', () => {
  const a = file(1, 'users');
  const b = file(2, 'posts');
  const c = file(3, 'tags');

  it.each([
    { name: 'all applied, ledger agrees', files: [a, b], rows: [row(0), row(1), row(2)], ledger: [entry(a), entry(b)], kinds: [] },
    { name: 'a newer file is pending', files: [a, b], rows: [row(0), row(1)], ledger: [entry(a)], kinds: ['migration-pending:2'] },
    { name: 'an older file was never applied', files: [a, b, c], rows: [row(0), row(1), row(3)], ledger: [], kinds: ['migration-out-of-order:2'] },
    { name: 'an applied version lost its file', files: [a], rows: [row(0), row(1), row(2)], ledger: [entry(a)], kinds: ['migration-file-missing:2'] },
    { name: 'no ledger: no edited check', files: [a], rows: [row(0), row(1)], ledger: undefined, kinds: [] },
    {
      name: 'a version whose newest row is not applied counts as not applied',
      files: [a, b],
      rows: [row(2, false), row(1), row(0)],
      ledger: [],
      kinds: ['migration-pending:2'],
    },
  ])('$name', ({ files, rows, ledger, kinds }) => {
    const found = migrationFindings(facts(files, rows, ledger)).map((finding) => `${finding.kind}:${/:(\d+)/.exec(finding.key)?.[1]}`);
    expect(found).toEqual(kinds);
  });

  it('a pending file that is still the create template: named as such, and left to the apply step in watch mode', () => {
    const template = file(4, 'todo', SQL_TEMPLATE);
    const [finding] = migrationFindings(facts([a, template], [row(0), row(1)]));
    expect(finding).toMatchObject({
      kind: 'migration-pending',
      message: 'migrations/postgres/4_todo.sql is not applied on postgres yet: it still holds the template `create` wrote',
      hint: 'write its Up and Down SQL; `schemasync watch` applies it when the file is saved',
    });
    expect(migrationFindings({ ...facts([a, template], [row(0), row(1)]), templatesHeld: true })).toEqual([]);
    // Applied anyway (by `up`): an applied template is no pending file, held or not.
    expect(migrationFindings({ ...facts([a, template], [row(0), row(1), row(4)]), templatesHeld: true })).toEqual([]);
  });

  it('reports an edited applied file with its path, a fix hint and a diff of applied vs current text', () => {
    const applied = '-- +goose Up\nCREATE TABLE users (id int);\n';
    const edited = file(1, 'users', '-- +goose Up\nCREATE TABLE users (id int, email text);\n');
    const [finding, ...rest] = migrationFindings(facts([edited], [row(0), row(1)], [entry(edited, applied)]));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      kind: 'migration-edited',
      target: 'postgres',
      file: 'migrations/postgres/1_users.sql',
      message: 'migrations/postgres/1_users.sql was edited after it was applied on postgres; the database still has the applied version',
      hint: 'revert the edit and write a new migration (goose never re-runs an applied file)',
    });
    expect(finding!.detail).toContain('-CREATE TABLE users (id int);');
    expect(finding!.detail).toContain('+CREATE TABLE users (id int, email text);');
  });

  it('names the lost file from the ledger', () => {
    const gone = file(2, 'posts');
    const [finding] = migrationFindings(facts([a], [row(0), row(1), row(2)], [entry(a), entry(gone)]));
    expect(finding!.message).toBe('version 2 is applied on postgres, but its file is gone from migrations/postgres (it was 2_posts.sql)');
  });

  it('a CRLF checkout of the applied text is no edit', () => {
    const crlf = file(1, 'users', '-- +goose Up\r\nSELECT 1;\r\n');
    expect(migrationFindings(facts([crlf], [row(1)], [entry(crlf, '-- +goose Up\nSELECT 1;\n')]))).toEqual([]);
  });
});

describe('migrationOrderFindings', () => {
  it.each([
    {
      names: [
        [1, 'a'],
        [2, 'b'],
        [10, 'c'],
      ],
      expected: ['1_a.sql>10_c.sql?'],
    },
    {
      names: [
        [20240101000000, 'a'],
        [20240102000000, 'b'],
      ],
      expected: [],
    },
    {
      names: [
        [1, 'a'],
        [2, 'b'],
      ],
      expected: [],
    },
  ] as Array<{ names: Array<[number, string]>; expected: string[] }>)('$names', ({ names, expected }) => {
    const findings = migrationOrderFindings(
      'postgres',
      names.map(([version, name]) => file(version, name)),
    );
    if (expected.length === 0) {
      expect(findings).toEqual([]);
      return;
    }
    // By code unit "0" < "_", so "10_c.sql" sorts first of all: the pair (10_c, 1_a) goes backwards.
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'migration-order', file: 'migrations/postgres/10_c.sql' });
    expect(findings[0]!.message).toContain('10_c.sql sorts before 1_a.sql by name but has a higher version (10 > 1)');
  });
});
