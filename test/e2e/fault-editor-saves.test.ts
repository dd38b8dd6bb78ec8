import { open, rename, writeFile } from 'node:fs/promises';

import { expect, it } from 'vitest';

import { postgresMissing, withClient } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import { appliedVersions, expectNoDuplicates, faultSuite, untilQuiet } from './fault-support.ts';

// Issue 7, case 7: the ways editors save. Write-to-temp-then-rename, truncate-then-write, many
// small writes, and a save every 10 ms for 3 s: whatever the daemon saw in between, the final
// content of each file ends up applied, and its version recorded exactly once. (Watch mode
// re-applies the newest migration when it is edited, so a half-saved version that did apply is
// replaced by the final one.) One daemon sees every pattern in turn.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Column names of `table`, in order. */
async function columns(url: string, table: string): Promise<string[]> {
  return withClient(url, async (client) =>
    (
      await client.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position', [table])
    ).rows.map((r) => r.column_name),
  );
}

const migration = (table: string, extra: string) => `-- +goose Up\nCREATE TABLE ${table} (id int${extra});\n\n-- +goose Down\nDROP TABLE ${table};\n`;

describeWith('PostgreSQL', postgresMissing(), 'fault: editor save patterns', () => {
  const suite = faultSuite();

  /** Resolves once no run has started or been running for `quietMs`, and the last run succeeded. */
  async function settledOk(quietMs = 800): Promise<void> {
    await untilQuiet(suite.daemon, quietMs);
    expect(suite.daemon.runEnds().at(-1), suite.daemon.text()).toMatchObject({ ok: true });
  }

  const file = (name: string) => suite.project.path('migrations', 'postgres', name);

  it('write to a temp file, then rename over the migration', async () => {
    const name = '20260801000000_saves_rename.sql';
    await writeFile(file(`.${name}.swp`), migration('saves_rename', ', a int'));
    await rename(file(`.${name}.swp`), file(name));
    await settledOk();
    expect(await columns(suite.database.url, 'saves_rename')).toEqual(['id', 'a']);
  });

  it('truncate, then write', async () => {
    const name = '20260801000100_saves_truncate.sql';
    await writeFile(file(name), migration('saves_truncate', ''));
    await settledOk();
    const handle = await open(file(name), 'r+');
    try {
      await handle.truncate(0);
      await sleep(150);
      await handle.write(migration('saves_truncate', ', b int'), 0);
    } finally {
      await handle.close();
    }
    await settledOk();
    expect(await columns(suite.database.url, 'saves_truncate')).toEqual(['id', 'b']);
  });

  it('many small writes', async () => {
    const name = '20260801000200_saves_small.sql';
    const text = migration('saves_small', ', c int, d text');
    const handle = await open(file(name), 'w');
    try {
      for (let at = 0; at < text.length; at += 4) {
        await handle.write(text.slice(at, at + 4));
        await sleep(3);
      }
    } finally {
      await handle.close();
    }
    await settledOk();
    expect(await columns(suite.database.url, 'saves_small')).toEqual(['id', 'c', 'd']);
  });

  it('a save every 10 ms for 3 s: the last content is the one applied, once', async () => {
    const name = '20260801000300_saves_storm.sql';
    const started = Date.now();
    let count = 0;
    while (Date.now() - started < 3_000) {
      await writeFile(file(name), migration('saves_storm', `, v${count} int`));
      count++;
      await sleep(10);
    }
    await settledOk(1_500);
    expect(await columns(suite.database.url, 'saves_storm')).toEqual(['id', `v${count - 1}`]);
    const versions = await appliedVersions(suite.database.url);
    expectNoDuplicates(versions);
    expect(versions.slice(-4)).toEqual([20260801000000, 20260801000100, 20260801000200, 20260801000300]);
    expect(suite.daemon.child.exitCode).toBeNull();
  });
});
