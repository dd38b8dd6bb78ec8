import { rename, rm, symlink, writeFile } from 'node:fs/promises';

import { expect, it } from 'vitest';

import type { LogEvent } from '../helpers/daemon.ts';
import { postgresMissing } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import {
  appliedVersions,
  expectNoDuplicates,
  expectNoSecret,
  faultSuite,
  nextRunEnd,
  passwordOf,
  stopCleanly,
  tableExists,
  untilQuiet,
} from './fault-support.ts';

// Issue 7, case 6: bad files in the migrations folder. Each one fails the run it causes with a
// failure line naming the file and saying what is wrong; nothing is applied from a folder goose
// would refuse; the daemon lives; once the file is fixed or removed the next change syncs. One
// daemon sees every case in turn.

const EXAMPLE_VERSIONS = [20250301090000, 20250301090100, 20250301090200, 20250301090300, 20250301090400, 20250301090500];

describeWith('PostgreSQL', postgresMissing(), 'fault: bad files in the migrations folder', () => {
  const suite = faultSuite();

  /** Waits until the daemon has been quiet (no run starting or running) for a moment. */
  const settled = () => untilQuiet(suite.daemon, 400);

  /**
   * Makes the bad change, waits for the runs it causes, and returns their failure lines; then
   * undoes it and checks the run after that is clean.
   */
  async function rejected(make: () => Promise<unknown>, undo: () => Promise<unknown>): Promise<LogEvent[]> {
    await settled();
    const mark = suite.daemon.events.length;
    const runsBefore = suite.daemon.runEnds().length;
    await make();
    await nextRunEnd(suite.daemon, runsBefore, 'the run the bad file causes');
    await settled();
    const ends = suite.daemon.runEnds().slice(runsBefore);
    expect(
      ends.every((e) => e.ok === false),
      JSON.stringify(ends),
    ).toBe(true);
    const failures = suite.daemon.events.slice(mark).filter((e) => e.event === 'failure');
    // One failure line per run, nothing else failing.
    expect(failures).toHaveLength(ends.length);
    expect(suite.daemon.child.exitCode).toBeNull();

    const runsBeforeFix = suite.daemon.runEnds().length;
    await undo();
    await nextRunEnd(suite.daemon, runsBeforeFix, 'the run after the fix');
    await settled();
    expect(suite.daemon.runEnds().at(-1), suite.daemon.text()).toMatchObject({ ok: true });
    return failures;
  }

  const file = (name: string) => suite.project.path('migrations', 'postgres', name);
  const remove = (name: string) => () => rm(file(name));

  it.each([
    ['binary content', '20260501000000_binary.sql', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 0, 0xff]), /NUL bytes.*binary/],
    ['invalid UTF-8', '20260501000100_latin1.sql', Buffer.from("-- +goose Up\nSELECT 'caf\xe9';\n", 'latin1'), /not valid UTF-8/],
    ['a 50 MB file', '20260501000200_huge.sql', Buffer.alloc(50 * 1024 * 1024, 'SELECT 1;\n'), /more than the \d+-byte limit/],
    ['an empty file', '20260501000300_empty.sql', Buffer.alloc(0), /must start with '-- \+goose Up'/],
    [
      'a file with no Up',
      '20260501000400_no_up.sql',
      Buffer.from('CREATE TABLE nope (id int);\n-- +goose Down\nDROP TABLE nope;\n'),
      /:1: failed to parse migration: unexpected state 0 on line "CREATE TABLE nope/,
    ],
  ])('%s: one failure line naming the file, and the daemon lives', async (_case, name, bytes, reason) => {
    const failures = await rejected(() => writeFile(file(name), bytes), remove(name));
    for (const failure of failures) {
      expect(failure.msg).toContain(`migrations/postgres/${name}`);
      expect(failure.msg).toMatch(reason);
    }
    expect(await appliedVersions(suite.database.url)).toEqual(EXAMPLE_VERSIONS);
  });

  it('duplicate versions: the failure names both files', async () => {
    const name = '20250301090100_spaces_again.sql';
    const failures = await rejected(() => writeFile(file(name), '-- +goose Up\nSELECT 1;\n'), remove(name));
    for (const failure of failures)
      expect(failure.msg).toMatch(/duplicate migration versions.*20250301090100_create_spaces\.sql and .*20250301090100_spaces_again\.sql/s);
  });

  it('a symlink pointing outside the project is not read', async () => {
    const name = '20260501000500_outside.sql';
    const failures = await rejected(() => symlink('/etc/hostname', file(name)), remove(name));
    for (const failure of failures) expect(failure.msg).toMatch(new RegExp(`migrations/postgres/${name}: is a symlink to .*outside the project`));
  });

  it('a file gone before it could be read (a dangling symlink, and a file deleted at once) disturbs nothing', async () => {
    const name = '20260501000600_gone.sql';
    // A dangling symlink makes no file event of its own: the next change (a good file) finds it.
    const good = '20260501000650_good.sql';
    const failures = await rejected(
      async () => {
        await symlink(file('20260501000600_never_there.sql'), file(name));
        await writeFile(file(good), '-- +goose Up\nSELECT 1;\n');
      },
      async () => {
        await rm(file(name));
        await rm(file(good));
      },
    );
    for (const failure of failures) expect(failure.msg).toMatch(new RegExp(`migrations/postgres/${name}: was deleted or moved while being read`));
    // Written and deleted at once: whatever the daemon saw of it, it stays up and applies nothing of it.
    await settled();
    await writeFile(file('20260501000700_flash.sql'), '-- +goose Up\nCREATE TABLE fault_flash (id int);\n');
    await rm(file('20260501000700_flash.sql'));
    await settled();
    expect(suite.daemon.child.exitCode).toBeNull();
    expect(await tableExists(suite.database.url, 'fault_flash')).toBe(false);
  });

  it('the folder renamed away and back: the run in between says the folder is missing, then it syncs', async () => {
    const folder = suite.project.path('migrations', 'postgres');
    const failures = await rejected(
      () => rename(folder, `${folder}.away`),
      () => rename(`${folder}.away`, folder),
    );
    for (const failure of failures) expect(failure.msg).toMatch(/migrations\/postgres: the migrations folder does not exist/);
  });

  it('after all that, a new migration applies once and the version table is intact', async () => {
    await settled();
    const runsBefore = suite.daemon.runEnds().length;
    await writeFile(file('20260501000800_after.sql'), '-- +goose Up\nCREATE TABLE fault_after (id int);\n-- +goose Down\nDROP TABLE fault_after;\n');
    await nextRunEnd(suite.daemon, runsBefore, 'the run for the new migration');
    await settled();
    expect(suite.daemon.runEnds().at(-1), suite.daemon.text()).toMatchObject({ ok: true });
    const versions = await appliedVersions(suite.database.url);
    expect(versions).toEqual([...EXAMPLE_VERSIONS, 20260501000800]);
    expectNoDuplicates(versions);
    await stopCleanly(suite.daemon);
    expectNoSecret(suite.daemon.text(), passwordOf(suite.database.url));
  });
});
