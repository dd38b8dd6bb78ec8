import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { newMigrationFileName, SQL_TEMPLATE } from '../../../daemon/migrations/filename.ts';
import { parseMigration } from '../../../daemon/migrations/parse.ts';
import { describeWith } from '../../helpers/require.ts';
import { goose, gooseMissing } from '../../helpers/tools.ts';

// The real goose CLI is the reference: its `create` names and template, and its `validate -v`
// statement counts and transaction flags, must match ours.
const fixtures = new URL('../../fixtures/parse/', import.meta.url);

/** Runs goose without a shell, in `cwd` (so no stray .env is loaded), with only the given environment. */
function runGoose(cwd: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(goose!, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
}

describeWith('the goose binary', gooseMissing, 'goose v3.27.3 agrees', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'schemasync-goose-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['add users', 'AddUsers', 'v2.1 fix', 'add-users!', 'add users!!', 'Ünïcode Nâme'])('create %j names and fills the file like goose', (name) => {
    const before = new Date();
    execFileSync(goose!, ['-dir', dir, 'create', name, 'sql'], { env: { PATH: process.env.PATH ?? '' }, cwd: dir, stdio: 'pipe' });
    const after = new Date();
    const [created] = readdirSync(dir);
    expect([newMigrationFileName(name, before), newMigrationFileName(name, after)]).toContain(created);
    expect(readFileSync(path.join(dir, created!), 'utf8')).toBe(SQL_TEMPLATE);
  });

  it('create -s numbers after the highest sequential version, ignoring timestamps', () => {
    for (const name of ['00001_a.sql', '00007_b.sql', '20240101120000_c.sql']) writeFileSync(path.join(dir, name), SQL_TEMPLATE);
    const result = runGoose(dir, ['-dir', dir, '-s', 'create', 'next one', 'sql']);
    expect(result.status).toBe(0);
    const created = readdirSync(dir).filter((name) => !['00001_a.sql', '00007_b.sql', '20240101120000_c.sql'].includes(name));
    expect(created).toEqual([newMigrationFileName('next one', new Date(), { sequential: true, existingVersions: [1, 7, 20240101120000] })]);
  });

  for (const name of readdirSync(new URL('valid/', fixtures)).sort()) {
    it(`validate -v counts ${name} as we parse it`, () => {
      const folder = new URL(`valid/${name}/`, fixtures);
      const envFile = new URL('env.json', folder);
      const env = existsSync(envFile) ? (JSON.parse(readFileSync(envFile, 'utf8')) as Record<string, string>) : {};
      const text = readFileSync(new URL('input.sql', folder), 'utf8');
      writeFileSync(path.join(dir, '00001_fixture.sql'), text);
      const result = runGoose(dir, ['-dir', dir, 'validate', '-v'], env);
      expect(result.status, result.stderr).toBe(0);
      const row = result.stdout.split('\n').find((line) => line.includes('00001_fixture.sql'))!.trim().split(/\s+/);
      const up = parseMigration(text, 'up', { file: name, env });
      const down = parseMigration(text, 'down', { file: name, env });
      expect(row.slice(0, 4)).toEqual(['sql', up.noTransaction ? '✘' : '✔', String(up.statements.length), String(down.statements.length)]);
    });
  }

  for (const name of readdirSync(new URL('invalid/', fixtures)).filter((n) => n.endsWith('.sql')).sort()) {
    it(`validate refuses ${name}, as we do`, () => {
      copyFileSync(new URL(`invalid/${name}`, fixtures), path.join(dir, '00001_fixture.sql'));
      expect(runGoose(dir, ['-dir', dir, 'validate']).status).not.toBe(0);
    });
  }
});
