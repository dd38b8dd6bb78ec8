import path from 'node:path';

import { messageOf } from '../errors.ts';
import type { Logger } from '../log/types.ts';
import { headLabel, openGitRepo, shortCommit, type GitRepo, type Head } from '../tools/git.ts';

/**
 * watch mode in a git repository: sees HEAD move (checkout, switch, rebase, a detached HEAD, a
 * linked worktree: git's own dir is asked of git), holds file events while git is still
 * rewriting the working tree so that one checkout is one run, and says `branch: a → b` when a
 * run follows a switch. Outside a git repository there is none and watch mode is as before.
 */
export interface BranchFollower {
  readonly repo: GitRepo;
  /** git's HEAD file: watched with the project's files, so a switch that changes nothing else is seen too. */
  readonly headFile: string;
  /** Where HEAD was at start (`master`, `a detached HEAD at 1a2b3c4`), for the start-up summary. */
  readonly head: string;
  /** Hands `paths` on at once, or, while a git command is changing the working tree, once it is done (with what arrived meanwhile). */
  gate(paths: string[], handOn: (paths: string[]) => void): void;
  /**
   * Where HEAD is now; when it moved since the last call, logs the move and returns both ends.
   * `inRun`: a run follows (any move is logged); otherwise only a change of branch is (a commit
   * moves HEAD too, and is no news).
   */
  observe(inRun: boolean): Promise<{ from: Head; to: Head } | undefined>;
  close(): void;
}

/** A stale index.lock (a crashed git) must not hold the daemon for ever. */
const MAX_INDEX_WAIT_MS = 10_000;
const POLL_MS = 50;

export async function startBranchFollower(options: {
  projectRoot: string;
  logger: Logger;
  debounceMs: number;
  followBranch: boolean;
}): Promise<BranchFollower | undefined> {
  const { logger } = options;
  let repo: GitRepo | undefined;
  try {
    repo = await openGitRepo(options.projectRoot);
  } catch (error) {
    logger.warn({ event: 'git:unavailable', err: error }, `cannot ask git about this project (${messageOf(error)}); branch switches are not followed`);
  }
  if (!repo) {
    if (options.followBranch)
      logger.warn({ event: 'git:none' }, `--follow-branch: ${options.projectRoot} is not in a git repository; there is no branch to follow`);
    return undefined;
  }
  const git = repo;
  let last: Head | undefined;
  try {
    last = await git.head();
  } catch (error) {
    logger.debug({ event: 'git:head-unreadable', err: error }, `cannot read HEAD: ${messageOf(error)}`);
  }
  const description = `${last ? headLabel(last) : 'an unreadable HEAD'}${
    options.followBranch
      ? "; after a switch, migrations of other branches are rolled back and this branch's applied, older ones included (goose's allow-missing)"
      : ''
  }`;
  // Said to people in the start-up summary (its git row), not before it.
  logger.debug({ event: 'git:head', branch: last?.branch, commit: last?.commit, gitDir: git.gitDir, followBranch: options.followBranch }, `on ${description}`);

  let held: Set<string> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  // observe() is called from runs and from HEAD-only triggers: one at a time, so a move is said once.
  let chain: Promise<unknown> = Promise.resolve();

  return {
    repo: git,
    headFile: git.headFile,
    head: description,
    gate(paths, handOn) {
      if (held) {
        for (const p of paths) held.add(p);
        return;
      }
      const busy = git.busy();
      if (!busy) {
        handOn(paths);
        return;
      }
      held = new Set(paths);
      // A rebase can stop for conflicts: say why nothing syncs meanwhile. An index lock lasts milliseconds.
      const level = busy === 'rebase' ? 'info' : 'debug';
      logger[level]({ event: 'git:busy', what: busy }, `git ${busy === 'rebase' ? 'rebase' : 'command'} in progress: syncing once it is done`);
      const started = Date.now();
      let quietSince: number | undefined;
      const poll = () => {
        if (closed) return;
        const still = git.busy();
        const timedOut = still === 'index' && Date.now() - started > MAX_INDEX_WAIT_MS;
        if (still && !timedOut) {
          quietSince = undefined;
        } else {
          quietSince ??= Date.now();
          // The last files git wrote reach the watcher a debounce later: wait for them too.
          if (Date.now() - quietSince >= options.debounceMs + 2 * POLL_MS) {
            const all = [...held!].sort();
            held = undefined;
            handOn(all);
            return;
          }
        }
        timer = setTimeout(poll, POLL_MS);
      };
      timer = setTimeout(poll, POLL_MS);
    },
    observe(inRun) {
      const next = chain.then(async () => {
        const now = await git.head();
        const from = last;
        if (from && now.commit === from.commit && now.branch === from.branch) return undefined;
        if (!inRun && from && now.branch === from.branch && (now.branch !== undefined || now.commit === from.commit)) {
          last = now;
          return undefined;
        }
        last = now;
        if (!from) return undefined;
        const label =
          from.branch !== undefined && from.branch === now.branch
            ? `branch: ${now.branch} (${shortCommit(from.commit)} → ${shortCommit(now.commit)})`
            : `branch: ${headLabel(from)} → ${headLabel(now)}`;
        logger.info({ event: 'branch:switch', from: from.branch ?? null, to: now.branch ?? null, fromCommit: from.commit, toCommit: now.commit }, label);
        return { from, to: now };
      });
      chain = next.catch(() => undefined);
      return next.catch((error: unknown) => {
        logger.debug({ event: 'git:head-unreadable', err: error }, `cannot read HEAD: ${messageOf(error)}`);
        return undefined;
      });
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}

/** Is `changed` git's HEAD file? */
export const isHeadFile = (follower: BranchFollower | undefined, changed: string) =>
  follower !== undefined && path.resolve(changed) === path.resolve(follower.headFile);
