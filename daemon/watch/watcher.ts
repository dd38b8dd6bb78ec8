import { existsSync } from 'node:fs';
import path from 'node:path';

import { watch } from 'chokidar';

import { messageOf } from '../errors.ts';
import type { Logger } from '../log/types.ts';
import { watchFlatFolder, type FlatFolderWatch } from './flat-folder.ts';

/**
 * The only chokidar user: turns file events under the watched paths into one debounced
 * `Trigger` listing what changed. It knows nothing of migrations or the pipeline.
 */

export interface Trigger {
  /** Absolute, deduplicated, sorted. */
  paths: string[];
}

export interface Watcher {
  /** Replaces the watched paths (a sqlc config that now names other query folders). */
  setPaths(paths: string[]): void;
  close(): Promise<void>;
}

export interface WatcherOptions {
  /** Folders and files to watch; they need not exist yet. */
  paths: string[];
  /** Quiet time after the last event before the trigger fires. */
  debounceMs: number;
  /** Poll the filesystem instead of relying on OS events (see `usePolling` below). */
  poll: boolean;
  logger: Logger;
  onTrigger: (trigger: Trigger) => void;
  /**
   * Folders among `paths` whose direct children are all that matters (goose migration folders).
   * Each one that exists is watched by one non-recursive fs.watch (flat-folder.ts), which never
   * lists it, until it is deleted or replaced; chokidar watches it from then on. Not in polling mode.
   */
  flat?: string[];
}

/** Deletions and renames are changes too: a removed migration must be noticed. */
const CHANGE_EVENTS = new Set<string>(['add', 'addDir', 'change', 'unlink', 'unlinkDir']);

/**
 * Starts watching; resolves once the initial scan is done, so a change made after the promise
 * resolves is seen. The initial scan itself fires nothing: the daemon runs one full sync at start.
 */
export async function createWatcher(options: WatcherOptions): Promise<Watcher> {
  let targets = [...new Set(options.paths.map((target) => path.resolve(target)))];
  let filter = createPathFilter(targets);
  let roots = watchRoots(targets);

  const debouncer = createDebouncer(options.debounceMs, (paths) => {
    options.logger.debug({ event: 'watch:trigger', paths }, `${paths.length} changed path(s)`);
    options.onTrigger({ paths });
  });

  const changed = (kind: string, absolute: string) => {
    // Events for the folders above a target only keep the watch alive; they are not changes.
    if (!filter.isTargetOrInside(absolute)) return;
    options.logger.trace({ event: 'watch:event', kind, path: absolute }, `${kind} ${absolute}`);
    debouncer.add(absolute);
  };

  // Armed before chokidar starts, so that its first scan already leaves them alone.
  const flat = new Map<string, FlatFolderWatch>();
  for (const folder of options.poll ? [] : (options.flat ?? []).map((target) => path.resolve(target))) {
    const armed = watchFlatFolder(folder, {
      changed: (absolute) => changed('change', absolute),
      lost: () => {
        flat.delete(folder);
        options.logger.debug({ event: 'watch:flat-lost', folder }, `${folder} was deleted or replaced: chokidar watches it from now on`);
        changed('change', folder);
        // Called from an fs event, so after `watcher` below exists. When the folder is gone for
        // now, chokidar's watch of the folder above sees it come back.
        if (existsSync(folder)) watcher.add(folder);
      },
    });
    if (armed) flat.set(folder, armed);
  }
  // chokidar asks about every entry it sees: no copy of the keys, one resolve per question.
  const inFlatFolder = (candidate: string) => {
    if (flat.size === 0) return false;
    const absolute = resolved(candidate);
    for (const folder of flat.keys()) if (absolute === folder || isStrictlyInside(absolute, folder)) return true;
    return false;
  };

  const watcher = watch(roots, {
    // The daemon runs one full sync itself at start; the initial scan is not a change.
    ignoreInitial: true,
    // Decides which paths chokidar descends into, too: only the targets and the folders leading
    // to them, and not the flat folders fs.watch has.
    ignored: (candidate) => inFlatFolder(candidate) || filter.ignores(candidate),
    // No awaitWriteFinish: editors write in pieces, but every piece is an event and the debounce
    // below already waits for quiet; chokidar's size polling only added 50–75 ms to every save.
    // Polling is slower and costs CPU, but OS events do not arrive through Docker bind mounts or
    // network filesystems, and on Linux `git stash && git stash pop` can leave inotify watching
    // replaced inodes. Hence an opt-in switch.
    usePolling: options.poll,
    interval: 300,
    binaryInterval: 300,
  });

  watcher.on('all', (event, changedPath) => {
    if (CHANGE_EVENTS.has(event)) changed(event, resolved(changedPath));
  });
  watcher.on('error', (error) => {
    options.logger.warn({ event: 'watch:error', err: error }, `the file watcher reported an error: ${messageOf(error)}`);
  });

  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  options.logger.debug({ event: 'watch:ready', roots, targets, flat: [...flat.keys()], poll: options.poll }, 'watching for changes');

  return {
    setPaths(paths) {
      targets = [...new Set(paths.map((target) => path.resolve(target)))];
      filter = createPathFilter(targets);
      const added = watchRoots(targets).filter((root) => !roots.includes(root));
      roots = [...roots, ...added];
      // The targets themselves too: chokidar did not descend into them while they were ignored.
      watcher.add([...added, ...targets.filter((target) => existsSync(target) && !flat.has(target))]);
    },
    async close() {
      // A change still in its debounce window is dropped: closing means the daemon is stopping.
      debouncer.cancel();
      for (const armed of flat.values()) armed.close();
      flat.clear();
      await watcher.close();
    },
  };
}

/**
 * Where chokidar watches: the nearest existing folder *above* each target. Watching the parent
 * rather than the target itself is what lets a folder that does not exist yet be picked up when
 * it is created, and a folder renamed away and back be watched again.
 */
export function watchRoots(targets: string[], exists: (p: string) => boolean = existsSync): string[] {
  const roots = new Set<string>();
  for (const target of targets) {
    let root = path.dirname(target);
    while (!exists(root) && path.dirname(root) !== root) root = path.dirname(root);
    roots.add(root);
  }
  return [...roots].sort();
}

/** Names editors and tools write beside the real file while saving. */
const JUNK_NAME = [
  /^\./, // hidden: Emacs lock files (.#x.sql), vim swap files (.x.sql.swp), .DS_Store
  /~$/, // backups: x.sql~
  /\.(swp|swx|swo|tmp|crswap)$/i, // vim swap, generic temp, Chrome/VS Code remote swap
  /^4913$/, // vim's probe that the folder is writable
  /___jb_(tmp|old)___$/, // JetBrains safe write
];
const SKIPPED_FOLDERS = new Set(['node_modules', '.git']);

export function isJunkName(name: string): boolean {
  return SKIPPED_FOLDERS.has(name) || JUNK_NAME.some((pattern) => pattern.test(name));
}

export interface PathFilter {
  /** For chokidar's `ignored` (any path it hands over): true for everything but targets, what is inside them, and their ancestors. */
  ignores(candidate: string): boolean;
  /** A target, or a non-junk path inside one: a real change. */
  isTargetOrInside(absolute: string): boolean;
}

/**
 * Pure: decides by path alone, for absolute, resolved paths. chokidar asks about every entry of
 * a watched folder each time it re-reads it (on every file added to a folder of 2,000
 * migrations), so already-normal POSIX paths are compared as strings, without path.relative.
 */
export function createPathFilter(targets: string[]): PathFilter {
  const isAncestorOfTarget = (candidate: string) => targets.some((target) => isStrictlyInside(target, candidate));
  const isTargetOrInside = (candidate: string) =>
    targets.some((target) => {
      if (candidate === target) return true;
      if (!isStrictlyInside(candidate, target)) return false;
      // Junk anywhere below the target (a .git folder, a node_modules, a swap file) is ignored.
      return !relativeInside(target, candidate).split(path.sep).some(isJunkName);
    });
  // chokidar asks again for every entry of a folder each time the folder changes (2,000 times
  // per save in a folder of 2,000 migrations): the answers are kept, the filter being fixed.
  const answers = new Map<string, boolean>();
  return {
    ignores: (candidate) => {
      let ignored = answers.get(candidate);
      if (ignored === undefined) {
        const absolute = resolved(candidate);
        ignored = !(isAncestorOfTarget(absolute) || isTargetOrInside(absolute));
        if (answers.size >= MAX_FILTER_ANSWERS) answers.clear();
        answers.set(candidate, ignored);
      }
      return ignored;
    },
    isTargetOrInside,
  };
}

/** path.resolve, skipped for a path that is already absolute and normal on POSIX (what chokidar hands over). */
function resolved(candidate: string): string {
  return isNormalPosixAbsolute(candidate) ? candidate : path.resolve(candidate);
}

/** Absolute POSIX path with no empty, `.` or `..` segment and no trailing slash (but `/` itself): path.resolve would return it unchanged. */
function isNormalPosixAbsolute(candidate: string): boolean {
  return path.sep === '/' && candidate.startsWith('/') && (candidate === '/' || !/\/(\.{1,2})?(\/|$)/.test(candidate));
}

function isStrictlyInside(candidate: string, folder: string): boolean {
  if (isNormalPosixAbsolute(candidate) && isNormalPosixAbsolute(folder)) {
    const prefix = folder === '/' ? '/' : `${folder}/`;
    return candidate.length > prefix.length && candidate.startsWith(prefix);
  }
  const relative = path.relative(folder, candidate);
  return relative !== '' && relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative);
}

/** path.relative(folder, candidate) for a candidate strictly inside folder. */
function relativeInside(folder: string, candidate: string): string {
  if (isNormalPosixAbsolute(candidate) && isNormalPosixAbsolute(folder)) return candidate.slice(folder === '/' ? 1 : folder.length + 1);
  return path.relative(folder, candidate);
}

/** Answers the path filter keeps before starting afresh: far more than a project's watched entries. */
const MAX_FILTER_ANSWERS = 100_000;

/** Collects paths and hands them over `delayMs` after the last one, sorted and deduplicated. */
function createDebouncer(delayMs: number, fire: (paths: string[]) => void) {
  let collected = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  return {
    add(changed: string) {
      collected.add(changed);
      clearTimeout(timer);
      timer = setTimeout(() => {
        const paths = [...collected].sort();
        collected = new Set();
        timer = undefined;
        fire(paths);
      }, delayMs);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
      collected = new Set();
    },
  };
}
