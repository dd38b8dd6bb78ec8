import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

import { hasErrorCode } from '../errors.ts';
import { contains } from '../util/paths.ts';
import { locateBinary } from './locate.ts';
import { runTool, type ToolCommand } from './run.ts';

/**
 * The git questions schemasync asks (where HEAD is, which files a commit has), each one `git`
 * process through runTool: no shell, a timeout. Paths come back as git prints them; the
 * callers map file names to migrations.
 */

/** Where HEAD points: a branch (`feature/x`) or, detached, only a commit. */
export interface Head {
  /** Undefined on a detached HEAD. */
  branch?: string;
  /** Full commit id; '' on a branch with no commit yet. */
  commit: string;
}

export interface GitRepo {
  /** The working tree's top folder (real path). */
  readonly toplevel: string;
  /** This worktree's git dir (`.git`, or `.git/worktrees/<name>` for a linked worktree). */
  readonly gitDir: string;
  /** The file git rewrites when HEAD moves (checkout, switch, rebase, detach). */
  readonly headFile: string;
  head(): Promise<Head>;
  /** Local branches with the commit each points at. */
  branches(): Promise<Array<{ name: string; commit: string }>>;
  /** Commits HEAD was on recently (its reflog, newest first, at most `limit`). */
  recentCommits(limit: number): Promise<string[]>;
  /** Base names of the files directly inside `dir` (absolute) in `commit`. */
  filesAt(commit: string, dir: string): Promise<string[]>;
  /** A git command is changing the working tree right now (index.lock, a rebase in progress). */
  busy(): 'index' | 'rebase' | undefined;
}

const TIMEOUT_MS = 10_000;

/** `git <args>`, run by `binary` (no shell). */
function git(binary: string, args: string[]): ToolCommand {
  return { tool: 'git', action: args[0], file: binary, args, installHint: 'install git, or run schemasync outside a git repository.' };
}

/** Short form of a commit id for messages. */
export const shortCommit = (commit: string) => commit.slice(0, 7);

/** `feature/x`, or `abc1234 (detached)`. */
export function headLabel(head: Head): string {
  return head.branch ?? (head.commit ? `${shortCommit(head.commit)} (detached)` : '(no commit)');
}

/**
 * The repository `cwd` is in, or undefined when it is none (or git is not installed): then
 * schemasync behaves as if git did not exist.
 */
export async function openGitRepo(cwd: string): Promise<GitRepo | undefined> {
  const binary = await locateBinary('git');
  if (!binary) return undefined;
  let lines: string[];
  try {
    const result = await runTool(git(binary, ['rev-parse', '--absolute-git-dir', '--git-common-dir', '--show-toplevel']), { cwd, timeoutMs: TIMEOUT_MS });
    lines = result.stdout.split('\n').map((line) => line.trim());
  } catch (error) {
    if (hasErrorCode(error, 'TOOL') || hasErrorCode(error, 'TOOL_MISSING')) return undefined;
    throw error;
  }
  // --git-common-dir is asked only to fail early on a broken linked worktree.
  const [gitDir, common, toplevel] = lines;
  if (!gitDir || !common || !toplevel) return undefined;
  const run = async (args: string[]) => (await runTool(git(binary, args), { cwd: toplevel, timeoutMs: TIMEOUT_MS })).stdout;

  return {
    toplevel,
    gitDir,
    headFile: path.join(gitDir, 'HEAD'),
    async head() {
      // symbolic-ref fails on a detached HEAD; rev-parse on a branch with no commit yet.
      const symbolic = (await run(['symbolic-ref', '-q', 'HEAD']).catch(() => '')).trim();
      const commit = (await run(['rev-parse', '-q', '--verify', 'HEAD^{commit}']).catch(() => '')).trim();
      const branch = symbolic.startsWith('refs/heads/') ? symbolic.slice('refs/heads/'.length) : undefined;
      return branch === undefined ? { commit } : { branch, commit };
    },
    async branches() {
      const out = await run(['for-each-ref', '--format=%(objectname) %(refname:short)', 'refs/heads']);
      return out
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const space = line.indexOf(' ');
          return { commit: line.slice(0, space), name: line.slice(space + 1) };
        });
    },
    async recentCommits(limit) {
      const out = await run(['reflog', 'show', '--format=%H', `-n${limit}`, 'HEAD', '--']).catch(() => '');
      return [...new Set(out.split('\n').filter(Boolean))];
    },
    async filesAt(commit, dir) {
      const real = existsSync(dir) ? realpathSync(dir) : dir;
      if (!contains(toplevel, real)) return [];
      const relative = path.relative(toplevel, real).split(path.sep).join('/');
      const out = await run(['ls-tree', '--name-only', commit, '--', relative === '' ? '.' : `${relative}/`]).catch(() => '');
      return out
        .split('\n')
        .filter(Boolean)
        .map((name) => path.posix.basename(name));
    },
    busy() {
      if (existsSync(path.join(gitDir, 'rebase-merge')) || existsSync(path.join(gitDir, 'rebase-apply'))) return 'rebase';
      if (existsSync(path.join(gitDir, 'index.lock'))) return 'index';
      return undefined;
    },
  };
}
