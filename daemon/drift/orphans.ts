/**
 * Orphans: migrations applied on a database whose file is gone from the working tree but still
 * exists in git on another branch (or in a commit HEAD was on before a rebase). They are the
 * other branch's schema, not deleted files: their fix is to roll them back, not to restore them.
 */
import { isSqlMigrationName, parseMigrationFilename } from '../migrations/filename.ts';
import { headLabel, openGitRepo, shortCommit, type GitRepo, type Head } from '../tools/git.ts';

// An orphan is the engine's word (it rolls them back); this module finds them.
export type { Orphan } from '../engine/index.ts';
import type { Orphan } from '../engine/index.ts';

/** Finds the branch (or commit) that holds the file of each applied version missing from the working tree. */
export interface OrphanLocator {
  /**
   * `dir`: the migrations folder (absolute); `missing`: applied versions without a file;
   * `previous`: where HEAD was before the switch being handled, when known (a rebase leaves the
   * old commit on no branch). Versions git has nowhere are left out: those are deleted files.
   */
  locate(dir: string, missing: number[], previous?: Head): Promise<Orphan[]>;
}

/** Reflog entries looked at beyond the branch tips (a rebase or amend leaves the old commit there). */
const REFLOG_DEPTH = 30;

/** Versions of the migration files among `names` (others ignored). Pure. */
export function versionsOf(names: string[]): Map<number, string> {
  const found = new Map<number, string>();
  for (const name of names) {
    if (!isSqlMigrationName(name)) continue;
    try {
      found.set(parseMigrationFilename(name).version, name);
    } catch {
      // Not a name goose takes: not a migration.
    }
  }
  return found;
}

/**
 * Assigns each missing version to the first candidate commit whose folder has it. Pure.
 * `candidates` in order of preference: branch tips, then the previous HEAD, then the reflog.
 */
export function assignOrphans(missing: number[], candidates: Array<{ source: string; checkout: string; files: Map<number, string> }>): Orphan[] {
  const orphans: Orphan[] = [];
  for (const version of missing) {
    const holder = candidates.find((candidate) => candidate.files.has(version));
    if (holder) orphans.push({ version, source: holder.source, checkout: holder.checkout, file: holder.files.get(version)! });
  }
  return orphans.sort((a, b) => a.version - b.version);
}

/** A locator over the git repository `cwd` is in; none when it is not in one. Opens the repository once, lazily. */
export function gitOrphanLocator(cwd: string, repo?: Promise<GitRepo | undefined>): OrphanLocator {
  let opened = repo;
  return {
    async locate(dir, missing, previous) {
      if (missing.length === 0) return [];
      opened ??= openGitRepo(cwd).catch(() => undefined);
      const git = await opened;
      if (!git) return [];
      return locateIn(git, dir, missing, previous);
    },
  };
}

async function locateIn(git: GitRepo, dir: string, missing: number[], previous: Head | undefined): Promise<Orphan[]> {
  const head = await git.head();
  // A file still in HEAD's commit was deleted in the working tree, not left behind by a switch.
  const seen = new Set<string>([head.commit]);
  const candidates: Array<{ source: string; checkout: string; commit: string }> = [];
  const add = (source: string, checkout: string, commit: string) => {
    if (!commit || seen.has(commit)) return;
    seen.add(commit);
    candidates.push({ source, checkout, commit });
  };
  for (const branch of await git.branches()) if (branch.name !== head.branch) add(`branch ${branch.name}`, branch.name, branch.commit);
  if (previous) {
    const short = shortCommit(previous.commit);
    add(previous.branch ? `branch ${previous.branch} before ${short}` : `commit ${headLabel(previous)}`, short, previous.commit);
  }
  for (const commit of await git.recentCommits(REFLOG_DEPTH)) add(`commit ${shortCommit(commit)}`, shortCommit(commit), commit);

  let left = [...missing];
  const orphans: Orphan[] = [];
  for (const candidate of candidates) {
    if (left.length === 0) break;
    const files = versionsOf(await git.filesAt(candidate.commit, dir));
    const found = assignOrphans(left, [{ ...candidate, files }]);
    orphans.push(...found);
    left = left.filter((version) => !found.some((orphan) => orphan.version === version));
  }
  return orphans.sort((a, b) => a.version - b.version);
}

// The engine's wording, so the drift report and the rollback name orphans alike.
export { describeOrphans } from '../engine/index.ts';
