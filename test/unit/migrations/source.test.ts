import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksum } from '../../../daemon/migrations/checksum.ts';
import { readMigrations, type SourceProblem } from '../../../daemon/migrations/source.ts';

let root: string;
let dir: string;
const ok = '-- +goose Up\nSELECT 1;\n';

beforeEach(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'schemasync-source-')));
  dir = path.join(root, 'migrations', 'postgres');
  await mkdir(dir, { recursive: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const read = (options: { maxFileBytes?: number } = {}) => readMigrations(dir, { projectRoot: root, ...options });
const problemOf = (problems: SourceProblem[], name: string) => problems.find((p) => p.file === `migrations/postgres/${name}`);

describe('readMigrations', () => {
  it('reads *.sql files directly in the folder, sorted by version, with paths relative to the project', async () => {
    await writeFile(path.join(dir, '10_b.sql'), ok);
    await writeFile(path.join(dir, '002_a.sql'), 'x\r\ny');
    await writeFile(path.join(dir, 'README.md'), 'not a migration');
    await writeFile(path.join(dir, '3_upper.SQL'), ok);
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub', '4_nested.sql'), ok);
    const { files, problems } = await read();
    expect(problems).toEqual([]);
    expect(files.map((f) => [f.version, f.name, f.path])).toEqual([
      [2, '002_a.sql', 'migrations/postgres/002_a.sql'],
      [10, '10_b.sql', 'migrations/postgres/10_b.sql'],
    ]);
    expect(files[0]).toMatchObject({ description: 'a', text: 'x\r\ny', checksum: checksum('x\ny') });
  });

  it('keeps duplicate versions for the planner to judge', async () => {
    await writeFile(path.join(dir, '001_a.sql'), ok);
    await writeFile(path.join(dir, '1_b.sql'), ok);
    expect((await read()).files.map((f) => f.name)).toEqual(['001_a.sql', '1_b.sql']);
  });

  it('ignores hidden and editor temp files silently', async () => {
    await writeFile(path.join(dir, '.#1_lock.sql'), ok);
    await writeFile(path.join(dir, '.hidden.sql'), ok);
    await writeFile(path.join(dir, '~2_tmp.sql'), ok);
    await writeFile(path.join(dir, '3_real.sql'), ok);
    expect(await read()).toMatchObject({ files: [{ name: '3_real.sql' }], problems: [] });
  });

  it('reports a bad name as a problem and keeps the other files', async () => {
    await writeFile(path.join(dir, 'notes.sql'), ok);
    await writeFile(path.join(dir, '1_ok.sql'), ok);
    const { files, problems } = await read();
    expect(files.map((f) => f.name)).toEqual(['1_ok.sql']);
    expect(problemOf(problems, 'notes.sql')?.error.code).toBe('FILENAME');
  });

  it('reports a missing folder instead of throwing', async () => {
    const { files, problems } = await readMigrations(path.join(root, 'nope'), { projectRoot: root });
    expect(files).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.file).toBe('nope');
    expect(problems[0]!.error.message).toBe('nope: the migrations folder does not exist');
  });

  it.each<[string, string | Uint8Array, RegExp]>([
    ['binary', new Uint8Array([0x2d, 0x2d, 0x00, 0x01]), /contains NUL bytes/],
    ['invalid UTF-8', new Uint8Array([0x2d, 0x2d, 0x20, 0xc3, 0x28]), /is not valid UTF-8 text/],
  ])('reports %s content as a problem naming the file', async (_kind, content, message) => {
    await writeFile(path.join(dir, '1_bad.sql'), content);
    await writeFile(path.join(dir, '2_ok.sql'), ok);
    const { files, problems } = await read();
    expect(files.map((f) => f.name)).toEqual(['2_ok.sql']);
    const problem = problemOf(problems, '1_bad.sql');
    expect(problem?.error.code).toBe('PARSE');
    expect(problem?.error.message).toMatch(message);
    expect(problem?.error.message.startsWith('migrations/postgres/1_bad.sql: ')).toBe(true);
  });

  it('keeps a UTF-8 BOM, so the parser fails on it as goose does', async () => {
    await writeFile(path.join(dir, '1_bom.sql'), `\ufeff${ok}`);
    expect((await read()).files[0]!.text.startsWith('\ufeff--')).toBe(true);
  });

  it('refuses a file larger than maxFileBytes', async () => {
    await writeFile(path.join(dir, '1_big.sql'), 'x'.repeat(101));
    const { problems } = await read({ maxFileBytes: 100 });
    expect(problemOf(problems, '1_big.sql')?.error.message).toMatch(/is 101 bytes, more than the 100-byte limit/);
  });

  it('refuses a symlink that leads outside the project, but follows one inside it', async () => {
    const outside = await realpath(await mkdtemp(path.join(tmpdir(), 'schemasync-outside-')));
    try {
      await writeFile(path.join(outside, 'secret.sql'), ok);
      await symlink(path.join(outside, 'secret.sql'), path.join(dir, '1_out.sql'));
      await writeFile(path.join(root, 'shared.sql'), ok);
      await symlink(path.join(root, 'shared.sql'), path.join(dir, '2_in.sql'));
      const { files, problems } = await read();
      expect(files.map((f) => f.name)).toEqual(['2_in.sql']);
      expect(problemOf(problems, '1_out.sql')?.error.message).toMatch(/is a symlink to .*secret\.sql, outside the project/);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('reports a broken symlink (a file gone between listing and reading) as a problem', async () => {
    await symlink(path.join(root, 'gone.sql'), path.join(dir, '1_gone.sql'));
    const { problems } = await read();
    expect(problemOf(problems, '1_gone.sql')?.error.message).toMatch(/was deleted or moved while being read/);
  });

  it('reports a directory named like a migration', async () => {
    await mkdir(path.join(dir, '1_dir.sql'));
    const { files, problems } = await read();
    expect(files).toEqual([]);
    expect(problemOf(problems, '1_dir.sql')?.error.message).toMatch(/is a directory, not a migration file/);
  });

  it('shows absolute paths for a folder outside the project root', async () => {
    const other = await realpath(await mkdtemp(path.join(tmpdir(), 'schemasync-other-')));
    try {
      await writeFile(path.join(other, '1_x.sql'), ok);
      const { files } = await readMigrations(other, { projectRoot: root });
      expect(files[0]!.path).toBe(path.join(other, '1_x.sql'));
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
