import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { silentLogger } from '../../../daemon/log/types.ts';
import { createPathFilter, createWatcher, isJunkName, watchRoots, type Trigger, type Watcher } from '../../../daemon/watch/watcher.ts';

const DEBOUNCE_MS = 120;
/** Long enough for chokidar, awaitWriteFinish and the debounce to have fired had there been an event. */
const QUIET_MS = 700;
/** More than the watcher's 300 ms polling interval. */
const POLL_SETTLE_MS = 500;

let dir: string;
let watcher: Watcher | undefined;
let triggers: Trigger[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'schemasync-watch-'));
  triggers = [];
});

afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Whether the folders given are watched as flat folders (fs.watch) or by chokidar alone; set by each describe below. */
let flatMode = false;

async function startWatching(paths: string[], poll = false, debounceMs = DEBOUNCE_MS): Promise<void> {
  watcher = await createWatcher({
    paths,
    ...(flatMode ? { flat: paths } : {}),
    debounceMs,
    poll,
    logger: silentLogger,
    onTrigger: (trigger) => triggers.push(trigger),
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `count` triggers arrived (or fails after a few seconds), then for quiet. */
async function triggersAfterQuiet(count: number, timeoutMs = 5000): Promise<Trigger[]> {
  const deadline = Date.now() + timeoutMs;
  while (triggers.length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} trigger(s), got ${JSON.stringify(triggers)}`);
    await sleep(20);
  }
  await sleep(QUIET_MS);
  return triggers;
}

/** All paths of all triggers so far. */
const allPaths = () => triggers.flatMap((trigger) => trigger.paths);

/** After two triggers, a write of `file` is the third, alone. */
async function expectThirdTriggerFor(file: string): Promise<void> {
  await writeFile(file, 'x\n');
  await triggersAfterQuiet(3);
  expect(triggers[2]!.paths).toEqual([file]);
}

/** No trigger so far; then a write of `file` is reported, alone. */
async function expectNothingThenOnly(file: string): Promise<void> {
  await sleep(QUIET_MS);
  expect(triggers).toEqual([]);
  await writeFile(file, 'x\n');
  await triggersAfterQuiet(1);
  expect(allPaths()).toEqual([file]);
}

describe.each([
  { mode: 'chokidar', flat: false },
  { mode: 'flat folders by fs.watch, the rest by chokidar', flat: true },
])('createWatcher (real file events): $mode', ({ flat }) => {
  beforeEach(() => {
    flatMode = flat;
  });

  it('fires one trigger for a new file, and nothing for the files there at start', async () => {
    const migrations = path.join(dir, 'migrations');
    await mkdir(migrations);
    await writeFile(path.join(migrations, '1_existing.sql'), '-- +goose Up\n');
    await startWatching([migrations]);
    await sleep(QUIET_MS);
    expect(triggers).toEqual([]);

    await writeFile(path.join(migrations, '2_new.sql'), '-- +goose Up\nSELECT 1;\n');
    expect(await triggersAfterQuiet(1)).toEqual([{ paths: [path.join(migrations, '2_new.sql')] }]);
  });

  it('reports an atomic save (temp file renamed over the original) as the original only', async () => {
    const file = path.join(dir, '1_x.sql');
    await writeFile(file, 'old\n');
    await startWatching([dir]);

    const temp = path.join(dir, '.1_x.sql.swp');
    await writeFile(temp, 'new content\n');
    await rename(temp, file);
    await triggersAfterQuiet(1);
    expect(allPaths()).toEqual([file]);
  });

  it('collapses a burst of 30 writes within a second into one trigger', async () => {
    const file = path.join(dir, '1_burst.sql');
    await writeFile(file, '');
    // A debounce of a second: a loaded CI machine (servers starting beside us) can stall a write
    // for a few hundred milliseconds, which must not split the burst.
    const debounceMs = 1000;
    await startWatching([dir], false, debounceMs);
    let longestGap = 0;
    let previous = Date.now();
    for (let i = 0; i < 30; i++) {
      await writeFile(file, `-- write ${i}\n`);
      await sleep(25);
      longestGap = Math.max(longestGap, Date.now() - previous);
      previous = Date.now();
    }
    const received = await triggersAfterQuiet(1);
    await sleep(debounceMs);
    expect(longestGap, 'the machine stalled longer than the debounce; the burst was not a burst').toBeLessThan(debounceMs);
    expect(received).toHaveLength(1);
    expect(received[0]!.paths).toEqual([file]);
  });

  it('collects the paths of several files into one sorted trigger', async () => {
    await startWatching([dir]);
    const names = ['3_c.sql', '1_a.sql', '2_b.sql'];
    for (const name of names) await writeFile(path.join(dir, name), 'x\n');
    const received = await triggersAfterQuiet(1);
    expect(received).toHaveLength(1);
    expect(received[0]!.paths).toEqual([...names].sort().map((name) => path.join(dir, name)));
  });

  it('ignores editor temp files, hidden files, node_modules and .git', async () => {
    await mkdir(path.join(dir, 'node_modules'));
    await mkdir(path.join(dir, '.git'));
    await startWatching([dir]);
    const junk = [
      '.#1_x.sql',
      '.1_x.sql.swp',
      '1_x.sql.swx',
      '1_x.sql~',
      '4913',
      '1_x.sql.tmp',
      '1_x.sql___jb_tmp___',
      '1_x.sql___jb_old___',
      '1_x.sql.crswap',
      'node_modules/1_x.sql',
      '.git/index',
    ];
    for (const name of junk) await writeFile(path.join(dir, name), 'x\n');
    // Still watching: a real file right after the junk is reported alone.
    await expectNothingThenOnly(path.join(dir, '1_x.sql'));
  });

  it('reports a deleted file', async () => {
    const file = path.join(dir, '1_gone.sql');
    await writeFile(file, 'x\n');
    await startWatching([dir]);
    await rm(file);
    await triggersAfterQuiet(1);
    expect(allPaths()).toEqual([file]);
  });

  it('picks up a folder that does not exist yet when it is created', async () => {
    const migrations = path.join(dir, 'migrations', 'postgres');
    await startWatching([migrations]);
    // Created together with its first file, as `mkdir -p` plus an editor save or a git checkout do.
    await mkdir(migrations, { recursive: true });
    const file = path.join(migrations, '1_first.sql');
    await writeFile(file, 'x\n');
    await triggersAfterQuiet(1);
    expect(allPaths()).toContain(file);
    // Nothing outside the target is ever reported, not even the folders above it.
    expect(allPaths().every((p) => p.startsWith(migrations))).toBe(true);
  });

  it('keeps watching a folder renamed away and back', async () => {
    const migrations = path.join(dir, 'migrations');
    await mkdir(migrations);
    await writeFile(path.join(migrations, '1_a.sql'), 'x\n');
    await startWatching([migrations]);

    await rename(migrations, path.join(dir, 'elsewhere'));
    await triggersAfterQuiet(1);
    expect(allPaths()).toContain(migrations);
    expect(allPaths().some((p) => p.includes('elsewhere'))).toBe(false);

    await rename(path.join(dir, 'elsewhere'), migrations);
    await triggersAfterQuiet(2);
    expect(triggers[1]!.paths).toContain(migrations);

    await expectThirdTriggerFor(path.join(migrations, '2_b.sql'));
  });

  it('watches a single file and ignores its siblings', async () => {
    const config = path.join(dir, 'sqlc.yaml');
    await writeFile(config, 'version: "2"\n');
    await startWatching([config]);
    await writeFile(path.join(dir, 'package.json'), '{}\n');
    await writeFile(config, 'version: "2"\nsql: []\n');
    await triggersAfterQuiet(1);
    expect(allPaths()).toEqual([config]);
  });

  it('sees changes in polling mode', async () => {
    const file = path.join(dir, '1_polled.sql');
    await writeFile(file, 'x\n');
    await startWatching([dir], true);
    // fs.watchFile takes each file's first stat on its own after chokidar's ready: a write before it is the baseline.
    await sleep(POLL_SETTLE_MS);
    await writeFile(file, 'changed\n');
    await writeFile(path.join(dir, '2_added.sql'), 'x\n');
    await triggersAfterQuiet(1);
    expect([...new Set(allPaths())].sort()).toEqual([file, path.join(dir, '2_added.sql')]);
  });

  it('fires nothing after close', async () => {
    await startWatching([dir]);
    await writeFile(path.join(dir, '1_x.sql'), 'x\n');
    await watcher!.close();
    watcher = undefined;
    await sleep(QUIET_MS);
    expect(triggers).toEqual([]);
  });
});

describe('createWatcher: a flat folder', () => {
  beforeEach(() => {
    flatMode = true;
  });

  it('sees only what is directly in it, as goose reads only that', async () => {
    const migrations = path.join(dir, 'migrations');
    await mkdir(path.join(migrations, 'archive'), { recursive: true });
    await startWatching([migrations]);
    await writeFile(path.join(migrations, 'archive', '1_old.sql'), 'x\n');
    await expectNothingThenOnly(path.join(migrations, '2_new.sql'));
  });

  it('deleted and made again, it is still watched (by chokidar from then on)', async () => {
    const migrations = path.join(dir, 'migrations');
    await mkdir(migrations);
    await writeFile(path.join(migrations, '1_a.sql'), 'x\n');
    await startWatching([migrations]);
    await rm(migrations, { recursive: true });
    await triggersAfterQuiet(1);
    expect(allPaths()).toContain(migrations);

    await mkdir(migrations);
    await triggersAfterQuiet(2);
    await expectThirdTriggerFor(path.join(migrations, '2_b.sql'));
  });

  it('replaced by another folder under the same name (a git checkout, a restore): the new one is watched', async () => {
    const migrations = path.join(dir, 'migrations');
    await mkdir(migrations);
    await mkdir(path.join(dir, 'incoming'));
    await writeFile(path.join(dir, 'incoming', '1_a.sql'), 'x\n');
    await startWatching([migrations]);
    await rm(migrations, { recursive: true });
    await rename(path.join(dir, 'incoming'), migrations);
    await triggersAfterQuiet(1);
    expect(allPaths()).toContain(migrations);

    const from = triggers.length;
    const file = path.join(migrations, '2_b.sql');
    await writeFile(file, 'x\n');
    await triggersAfterQuiet(from + 1);
    expect(triggers.slice(from).flatMap((trigger) => trigger.paths)).toContain(file);
  });
});

describe('createPathFilter', () => {
  const target = path.resolve('/p/migrations/postgres');
  const filter = createPathFilter([target, path.resolve('/p/sqlc.yaml')]);

  it.each([
    ['/p', false],
    ['/p/migrations', false],
    ['/p/migrations/postgres', false],
    ['/p/migrations/postgres/1_a.sql', false],
    ['/p/migrations/postgres/sub/1_a.sql', false],
    ['/p/sqlc.yaml', false],
    ['/p/migrations/clickhouse', true],
    ['/p/node_modules', true],
    ['/p/package.json', true],
    ['/p/migrations/postgres/.1_a.sql.swp', true],
    ['/p/migrations/postgres/node_modules/x.sql', true],
    ['/p/migrations/postgres-old/1_a.sql', true],
    ['/other', true],
  ])('%s ignored: %s', (candidate, ignored) => {
    expect(filter.ignores(path.resolve(candidate))).toBe(ignored);
  });

  it('counts only targets and what is inside them as changes', () => {
    expect(filter.isTargetOrInside(target)).toBe(true);
    expect(filter.isTargetOrInside(path.join(target, '1_a.sql'))).toBe(true);
    expect(filter.isTargetOrInside(path.resolve('/p/migrations'))).toBe(false);
    expect(filter.isTargetOrInside(path.join(target, '1_a.sql~'))).toBe(false);
  });
});

describe('watchRoots', () => {
  it('watches the nearest existing folder above each target', () => {
    const existing = new Set(['/', '/p', '/p/migrations'].map((p) => path.resolve(p)));
    const exists = (p: string) => existing.has(p);
    expect(
      watchRoots(
        ['/p/migrations/postgres', '/p/migrations/clickhouse', '/p/prisma/schema.prisma', '/p/sqlc.yaml'].map((p) => path.resolve(p)),
        exists,
      ),
    ).toEqual([path.resolve('/p'), path.resolve('/p/migrations')]);
  });
});

describe('isJunkName', () => {
  it.each(['.#a.sql', '.a.sql.swp', 'a.sql.swx', 'a.sql~', '4913', 'a.tmp', 'a.sql___jb_tmp___', 'a.crswap', 'node_modules', '.git'])('%s is junk', (name) =>
    expect(isJunkName(name)).toBe(true),
  );
  it.each(['20250101_init.sql', '1_x.sql', 'schema.prisma', 'sqlc.yaml', '49130_x.sql'])('%s is not junk', (name) => expect(isJunkName(name)).toBe(false));
});
