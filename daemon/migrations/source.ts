/**
 * Lists and reads one migrations folder: the only I/O of the migration domain. Every bad input
 * (bad name, binary or non-UTF-8 content, oversized file, symlink out of the project, a file
 * that vanished, a directory named `x.sql`) becomes a problem naming the file, never a throw,
 * so one broken file leaves the rest usable.
 */
import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { isSchemasyncError, SchemasyncError } from '../errors.ts';
import { contains, shownPath } from '../util/paths.ts';
import { checksum } from './checksum.ts';
import { isSqlMigrationName, parseMigrationFilename } from './filename.ts';
import type { MigrationFile } from './types.ts';

/** Default cap on one migration file; a larger one is almost certainly a mistake (a dump, a binary). */
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

/** A file (or the folder itself) that could not be read as a migration. */
export class SourceError extends SchemasyncError {
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('PARSE', `${file}: ${reason}`, options);
  }
}

export interface SourceProblem {
  /** Path as shown to users (relative to the project root when inside it). */
  file: string;
  error: SchemasyncError;
}

export interface ReadOptions {
  /** Paths are shown relative to it; symlinks must not lead outside it. */
  projectRoot: string;
  maxFileBytes?: number;
  /**
   * Also list numeric `.go` files (not `*_test.go`) as goose does, marked `go: true`; names
   * goose's Go glob would skip are skipped silently, as goose does.
   */
  includeGo?: boolean;
}

/**
 * Reads the `*.sql` files directly in `dir` (goose's glob: no subfolders, `.sql` case-sensitive),
 * sorted by version then name. Hidden files and editor temp files (`.#x.sql` locks, `~x.sql`)
 * are ignored silently. A missing folder is a problem, not a throw. Duplicate versions are kept
 * (plan.ts decides about them).
 */
export async function readMigrations(dir: string, options: ReadOptions): Promise<{ files: MigrationFile[]; problems: SourceProblem[] }> {
  const root = path.resolve(options.projectRoot);
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const folder = path.resolve(root, dir);
  const files: MigrationFile[] = [];
  const problems: SourceProblem[] = [];

  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    const shown = shownPath(root, folder);
    const reason = errnoOf(error) === 'ENOENT' ? 'the migrations folder does not exist' : `the migrations folder cannot be read (${describe(error)})`;
    return { files, problems: [{ file: shown, error: new SourceError(shown, reason, { cause: error }) }] };
  }

  const realRoot = await realpath(root).catch(() => root);
  // Shown paths from the folder's, once: path.relative per file was a tenth of a run at 2,000 files.
  const shownOf = shownNames(root, folder);
  for (const name of names.filter((n) => isSqlMigrationName(n) && !isEditorTempName(n)).sort()) {
    const absolute = path.join(folder, name);
    const shown = shownOf(name);
    try {
      const { version, description } = parseMigrationFilename(name);
      const { text, checksum } = readMigrationText(absolute, shown, realRoot, maxBytes);
      files.push({ version, description, name, path: shown, text, checksum });
    } catch (error) {
      problems.push({ file: shown, error: isSchemasyncError(error) ? error : new SourceError(shown, `cannot be read (${describe(error)})`, { cause: error }) });
    }
  }
  if (options.includeGo) files.push(...goMigrations(names, shownOf));
  files.sort((a, b) => a.version - b.version || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { files, problems };
}

/**
 * Problems split the way every reader of a folder treats them: a name goose would not take
 * (`FILENAME`) is no migration and is only mentioned; anything else blocks.
 */
export function splitProblems(problems: SourceProblem[]): { ignored: SourceProblem[]; blocking: SourceProblem[] } {
  return {
    ignored: problems.filter((problem) => problem.error.code === 'FILENAME'),
    blocking: problems.filter((problem) => problem.error.code !== 'FILENAME'),
  };
}

/** goose's `*.go` collection: numeric names only, test files and bad names skipped without a word. */
function goMigrations(names: string[], shownOf: (name: string) => string): MigrationFile[] {
  const found: MigrationFile[] = [];
  for (const name of names.filter((n) => n.endsWith('.go') && !n.endsWith('_test.go') && !isEditorTempName(n))) {
    try {
      const { version, description } = parseMigrationFilename(name);
      found.push({ version, description, name, path: shownOf(name), text: '', checksum: '', go: true });
    } catch {
      // goose: "Skip any files that don't have version prefix."
    }
  }
  return found;
}

/** A file's shown path (`shownPath`) from its name, for files directly in `folder`. */
function shownNames(root: string, folder: string): (name: string) => string {
  const shownFolder = shownPath(root, folder);
  return (name) => (shownFolder === '.' ? name : path.join(shownFolder, name));
}

/** Names editors and tools write next to the real file; goose would choke on them, we skip them. */
export function isEditorTempName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('~') || name.startsWith('#') || name.endsWith('~');
}

/**
 * Text and checksum of files read before, keyed by absolute path and valid while the file's
 * inode, size, mtime and ctime (nanoseconds) are the same: the daemon re-reads the folder on
 * every run, and at 2,000 migrations opening and hashing every file was most of its own time.
 */
const textCache = new Map<string, { stamp: string; text: string; checksum: string }>();

/**
 * Synchronous on purpose: migration files are small and local, and at 2,000 of them the
 * promise API's thread-pool round trips (lstat, open, fstat, read, close per file, one file at a
 * time) cost far more CPU and wall time than the system calls themselves.
 */
function readMigrationText(absolute: string, shown: string, realRoot: string, maxBytes: number): { text: string; checksum: string } {
  const problem = (reason: string, cause?: unknown) => new SourceError(shown, reason, { cause });
  try {
    const link = lstatSync(absolute, { bigint: true });
    if (link.isSymbolicLink()) {
      const target = realpathSync(absolute);
      if (!contains(realRoot, target)) throw problem(`is a symlink to ${target}, outside the project; schemasync reads only files inside ${realRoot}`);
    }
    // lstat of anything but a symlink is its stat: one system call per unchanged file.
    const info = link.isSymbolicLink() ? statSync(absolute, { bigint: true }) : link;
    if (info.isDirectory()) throw problem('is a directory, not a migration file');
    if (!info.isFile()) throw problem('is not a regular file');
    if (info.size > BigInt(maxBytes)) throw problem(`is ${info.size} bytes, more than the ${maxBytes}-byte limit for a migration file`);
    const stamp = `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
    const cached = textCache.get(absolute);
    if (cached?.stamp === stamp) return cached;
    const bytes = readFileSync(absolute);
    // The file may have grown between stat and read.
    if (bytes.length > maxBytes) throw problem(`is ${bytes.length} bytes, more than the ${maxBytes}-byte limit for a migration file`);
    if (bytes.includes(0)) throw problem('contains NUL bytes; it looks like a binary file, not SQL');
    const text = decodeUtf8(bytes, problem);
    const entry = { stamp, text, checksum: checksum(text) };
    // Only when the size still matches what was stamped: a write racing the read is re-read next run.
    if (BigInt(bytes.length) === info.size) textCache.set(absolute, entry);
    return entry;
  } catch (error) {
    if (isSchemasyncError(error)) throw error;
    if (errnoOf(error) === 'ENOENT') throw problem('was deleted or moved while being read (or is a broken symlink)', error);
    if (errnoOf(error) === 'EISDIR') throw problem('is a directory, not a migration file', error);
    throw problem(`cannot be read (${describe(error)})`, error);
  }
}

function decodeUtf8(bytes: Uint8Array, problem: (reason: string, cause?: unknown) => SourceError): string {
  try {
    // ignoreBOM keeps a BOM in the text: goose does not strip it and fails on it, so must we.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw problem('is not valid UTF-8 text; save it as UTF-8', error);
  }
}

function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
