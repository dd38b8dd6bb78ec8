import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startBranchFollower } from '../../daemon/app/branch.ts';
import { gitOrphanLocator } from '../../daemon/drift/orphans.ts';
import { silentLogger } from '../../daemon/log/types.ts';
import { openGitRepo } from '../../daemon/tools/git.ts';
import { commitFiles, git } from '../helpers/git.ts';

/** tools/git.ts and what is built on it, against real git: worktrees, a detached HEAD, a rebase's leftovers. */
describe('git through the tools layer', () => {
  let root: string;
  let repo: string;
  const dir = () => path.join(repo, 'migrations');

  beforeAll(() => {
    root = realpathSync(mkdtempSync(path.join(tmpdir(), 'schemasync-git-')));
    repo = path.join(root, 'repo');
    mkdirSync(path.join(repo, 'migrations'), { recursive: true });
    git(repo, 'init', '-q', '-b', 'main');
    commitFiles(repo, { 'migrations/1_a.sql': 'a', 'migrations/README.md': 'x' }, 'main');
    git(repo, 'checkout', '-q', '-b', 'feature');
    commitFiles(repo, { 'migrations/2_b.sql': 'b' }, 'feature');
    git(repo, 'checkout', '-q', 'main');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is no repository outside git (schemasync then behaves as without git)', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'schemasync-nogit-'));
    try {
      expect(await openGitRepo(outside)).toBeUndefined();
      expect(await gitOrphanLocator(outside).locate(outside, [1])).toEqual([]);
      expect(await startBranchFollower({ projectRoot: outside, logger: silentLogger, debounceMs: 10, followBranch: true })).toBeUndefined();
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('reads HEAD, the branches and a commit’s files', async () => {
    const git_ = (await openGitRepo(path.join(repo, 'migrations')))!;
    expect(git_.toplevel).toBe(repo);
    expect(git_.headFile).toBe(path.join(repo, '.git', 'HEAD'));
    expect((await git_.head()).branch).toBe('main');
    expect((await git_.branches()).map((b) => b.name).sort()).toEqual(['feature', 'main']);
    expect(await git_.filesAt('feature', dir())).toEqual(['1_a.sql', '2_b.sql', 'README.md']);
    expect(git_.busy()).toBeUndefined();
    writeFileSync(path.join(repo, '.git', 'index.lock'), '');
    expect(git_.busy()).toBe('index');
    rmSync(path.join(repo, '.git', 'index.lock'));
  });

  it('finds the git dir of a linked worktree, and its own HEAD', async () => {
    const linked = path.join(root, 'linked');
    git(repo, 'worktree', 'add', '-q', linked, 'feature');
    const git_ = (await openGitRepo(linked))!;
    expect(git_.gitDir).toBe(path.join(repo, '.git', 'worktrees', 'linked'));
    expect(git_.headFile).toBe(path.join(repo, '.git', 'worktrees', 'linked', 'HEAD'));
    expect((await git_.head()).branch).toBe('feature');
    // Seen from the linked worktree on a detached HEAD: the file of version 2 is on branch feature.
    git(linked, 'checkout', '-q', '--detach', 'main');
    const detached = await git_.head();
    expect(detached.branch).toBeUndefined();
    expect(await gitOrphanLocator(linked).locate(path.join(linked, 'migrations'), [2])).toEqual([
      { version: 2, source: 'branch feature', checkout: 'feature', file: '2_b.sql' },
    ]);
    git(repo, 'worktree', 'remove', '--force', linked);
  });

  it('says `branch: a → b` once per move, and finds an orphan left by a rewritten commit through the previous HEAD', async () => {
    const logged: string[] = [];
    const logger = { ...silentLogger, info: (_: unknown, msg?: string) => void (msg && logged.push(msg)), child: () => logger };
    const follower = (await startBranchFollower({ projectRoot: repo, logger: logger, debounceMs: 10, followBranch: false }))!;
    git(repo, 'checkout', '-q', 'feature');
    const moved = await follower.observe(true);
    expect(await follower.observe(true)).toBeUndefined();
    expect(moved?.from.branch).toBe('main');
    expect(logged.filter((m) => m.startsWith('branch:'))).toEqual(['branch: main → feature']);

    // Renumber 2 → 3 in an amended commit: version 2 is now on no branch, only in the commit HEAD was on.
    git(repo, 'mv', 'migrations/2_b.sql', 'migrations/3_b.sql');
    git(repo, 'commit', '-q', '--amend', '--no-edit');
    const rewritten = await follower.observe(true);
    expect(logged.at(-1)).toMatch(/^branch: feature \([0-9a-f]{7} → [0-9a-f]{7}\)$/);
    const orphans = await gitOrphanLocator(repo).locate(dir(), [2], rewritten!.from);
    const before = rewritten!.from.commit.slice(0, 7);
    expect(orphans).toEqual([{ version: 2, source: `branch feature before ${before}`, checkout: before, file: '2_b.sql' }]);
    follower.close();
  });
});
