import { statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

/**
 * A folder whose direct children are all that matters (a goose migration folder: goose does not
 * descend into subfolders), watched by one non-recursive `fs.watch`. chokidar re-lists a folder
 * with an lstat per entry whenever a file is added to it: 2,000 system calls per new migration
 * in a folder of 2,000. This lists nothing and stats only the folder itself on a rename.
 */
export interface FlatFolderWatch {
  close(): void;
}

export interface FlatFolderEvents {
  /** An entry of the folder was added, changed, renamed or deleted (its absolute path). */
  changed(absolute: string): void;
  /**
   * The folder itself was deleted, moved or replaced, or the OS watch failed: this watch has
   * stopped, and the caller watches the folder another way from now on.
   */
  lost(): void;
}

/** Undefined when the folder cannot be watched this way (it does not exist, or the OS refuses). */
export function watchFlatFolder(folder: string, events: FlatFolderEvents): FlatFolderWatch | undefined {
  const identity = inodeOf(folder);
  if (identity === undefined) return undefined;
  let watcher: FSWatcher;
  try {
    watcher = watch(folder, { persistent: true });
  } catch {
    return undefined;
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    watcher.close();
    events.lost();
  };
  watcher.on('change', (kind, name) => {
    if (stopped) return;
    // A rename may be the folder's own (deleted, moved away, replaced by another one): the
    // events would then name entries of a folder that is no longer this path.
    if (kind === 'rename' && inodeOf(folder) !== identity) return stop();
    // Some platforms give no name: then the folder as a whole changed.
    events.changed(name ? path.join(folder, name.toString()) : folder);
  });
  watcher.on('error', stop);
  return {
    close() {
      stopped = true;
      watcher.close();
    },
  };
}

function inodeOf(folder: string): string | undefined {
  try {
    const info = statSync(folder, { bigint: true });
    return info.isDirectory() ? `${info.dev}:${info.ino}` : undefined;
  } catch {
    return undefined;
  }
}
