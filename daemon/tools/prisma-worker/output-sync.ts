import { randomBytes } from 'node:crypto';
import type fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The generated client, written as a bundler can follow it: Prisma's generator empties its output
 * folder and writes every file again on each run, so a watcher (webpack under `next dev`) sees all
 * of them deleted and recreated and loses track of the folder. Here the generator's removals and
 * writes inside the output folder are captured instead of done; then only the files whose content
 * changed are written (each to a temp file renamed over it: a reader never sees half a file), and
 * only the files the generator would have left deleted are removed. The folder ends up exactly as
 * the generator leaves it; unchanged files keep their inode and mtime.
 */

/** What the generator did inside its output folder: the removals, then the writes. */
export interface Captured {
  /** Paths it removed (files, or whole folders with `rm -r`). */
  removed: Set<string>;
  /** Each file it wrote, with its content (the last write wins). */
  written: Map<string, string | Buffer>;
}

/** Whether `file` is `dir` or inside it; both absolute and normalized. Pure. */
export function isInside(dir: string, file: string): boolean {
  return file === dir || file.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/** Whether `file` or one of the folders above it is in `paths`. Pure. */
function underAny(paths: ReadonlySet<string>, file: string): boolean {
  for (let at = file; ; at = path.dirname(at)) {
    if (paths.has(at)) return true;
    if (path.dirname(at) === at) return false;
  }
}

/** Whether two file contents are the same bytes (text is UTF-8, as fs writes it). Pure. */
function sameContent(a: string | Buffer, b: string | Buffer): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return (typeof a === 'string' ? Buffer.from(a) : a).equals(typeof b === 'string' ? Buffer.from(b) : b);
}

/**
 * What to do to a folder holding `existing` files (path → content, undefined when unread) so it
 * ends as the generator left it: files to write (new or changed content) and files to delete
 * (removed and not written again). Pure.
 */
export function planOutput(existing: ReadonlyMap<string, string | Buffer | undefined>, captured: Captured): { write: string[]; remove: string[] } {
  const write = [...captured.written]
    .filter(([file, content]) => {
      const now = existing.get(file);
      return now === undefined || !sameContent(now, content);
    })
    .map(([file]) => file);
  const remove = [...existing.keys()].filter((file) => !captured.written.has(file) && underAny(captured.removed, file));
  return { write, remove };
}

type Promises = typeof fs.promises;
const promises = createRequire(import.meta.url)('node:fs/promises') as Promises;

/**
 * Runs `work` (a generator run) with `fs.promises`' rm, unlink, mkdir and writeFile captured for
 * paths inside `outputDir`; other paths pass through. The worker runs one request at a time, so
 * nothing else of its own writes files meanwhile.
 */
export async function captureOutput(outputDir: string, work: () => Promise<void>): Promise<Captured> {
  const captured: Captured = { removed: new Set(), written: new Map() };
  const original = { rm: promises.rm, unlink: promises.unlink, mkdir: promises.mkdir, writeFile: promises.writeFile };
  const ours = (file: unknown): string | undefined => {
    const resolved = typeof file === 'string' ? path.resolve(file) : file instanceof URL ? path.resolve(file.pathname) : undefined;
    return resolved !== undefined && isInside(outputDir, resolved) ? resolved : undefined;
  };
  const remove = (file: string) => {
    captured.removed.add(file);
    for (const written of captured.written.keys()) if (isInside(file, written)) captured.written.delete(written);
  };
  /* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-argument -- forwarding fs's own overloads unchanged */
  promises.rm = async (file: any, ...rest: any[]) => (ours(file) ? remove(ours(file)!) : original.rm(file, ...rest));
  promises.unlink = async (file: any) => (ours(file) ? remove(ours(file)!) : original.unlink(file));
  promises.mkdir = (async (file: any, ...rest: any[]) => (ours(file) ? undefined : original.mkdir(file, ...rest))) as Promises['mkdir'];
  promises.writeFile = async (file: any, data: any, ...rest: any[]) => {
    const mine = ours(file);
    if (!mine || !(typeof data === 'string' || Buffer.isBuffer(data))) return original.writeFile(file, data, ...rest);
    captured.written.set(mine, data);
  };
  /* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-argument */
  try {
    await work();
  } finally {
    Object.assign(promises, original);
  }
  return captured;
}

/** Every file under `dir`; none when it does not exist. */
async function listTree(dir: string, into: string[] = []): Promise<string[]> {
  const entries = await promises.readdir(dir, { withFileTypes: true }).catch(() => []);
  await Promise.all(
    entries.map(async (entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) await listTree(file, into);
      else if (entry.isFile()) into.push(file);
    }),
  );
  return into;
}

/**
 * What this process last left in each output file: the file's stat stamp and content. A file
 * whose stamp has not moved since holds that content, so it is compared in memory, not read (the
 * client is ~8 MB at 80 models).
 */
const leftBehind = new Map<string, { stamp: string; content: string | Buffer }>();

async function stampOf(file: string): Promise<string | undefined> {
  const stat = await promises.stat(file, { bigint: true }).catch(() => undefined);
  return stat && `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
}

/**
 * The files under `dir` with their content, for the ones in `wanted` (the rest: undefined), and
 * the stamps taken on the way.
 */
async function readTree(dir: string, wanted: ReadonlyMap<string, unknown>) {
  const files = await listTree(dir);
  const stamps = new Map<string, string | undefined>();
  const contentOf = async (file: string) => {
    if (!wanted.has(file)) return undefined;
    const known = leftBehind.get(file);
    const stamp = known && (await stampOf(file));
    stamps.set(file, stamp);
    return known && known.stamp === stamp ? known.content : promises.readFile(file);
  };
  const contents = new Map(await Promise.all(files.map(async (file) => [file, await contentOf(file)] as const)));
  return { contents, stamps };
}

/** Brings `outputDir` to what the generator left captured, touching only what differs. */
export async function applyOutput(outputDir: string, captured: Captured): Promise<{ written: number; removed: number }> {
  const { contents, stamps } = await readTree(outputDir, captured.written);
  const plan = planOutput(contents, captured);
  await Promise.all(plan.remove.map((file) => promises.unlink(file)));
  // Folders the generator removed and wrote nothing into are gone too (rm -r would have).
  const writtenInto = new Set<string>();
  for (const file of captured.written.keys()) for (let at = file; !writtenInto.has(at) && path.dirname(at) !== at; at = path.dirname(at)) writtenInto.add(at);
  for (const gone of captured.removed) if (!writtenInto.has(gone)) await promises.rm(gone, { recursive: true, force: true });
  await Promise.all(
    plan.write.map(async (file) => {
      await promises.mkdir(path.dirname(file), { recursive: true });
      const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
      await promises.writeFile(temp, captured.written.get(file)!);
      await promises.rename(temp, file);
    }),
  );
  const rewritten = new Set([...plan.write, ...plan.remove]);
  // A file left as it was keeps the stamp read before; the others (just written) are stamped now.
  await remember(captured, async (file) => (rewritten.has(file) ? undefined : stamps.get(file)) ?? (await stampOf(file)));
  return { written: plan.write.length, removed: plan.remove.length };
}

/**
 * Writes nothing: remembers the files of `outputDir` that already hold what the generator left
 * captured, so the next apply compares them in memory (the worker's prime, after a start).
 */
export async function recognizeOutput(outputDir: string, captured: Captured): Promise<void> {
  // Stamped before reading: a file changed meanwhile is read again next time, not trusted.
  const stamped = new Map(await Promise.all([...captured.written.keys()].map(async (file) => [file, await stampOf(file)] as const)));
  const { contents } = await readTree(outputDir, captured.written);
  const held = (file: string) => {
    const now = contents.get(file);
    return now !== undefined && sameContent(now, captured.written.get(file)!) ? stamped.get(file) : undefined;
  };
  await remember(captured, held);
}

/**
 * Records what the folder now holds for the files the generator wrote: each file's content, by
 * the stamp `stampFor` gives for a file known to hold it (undefined: not remembered); forgets the rest.
 */
async function remember(captured: Captured, stampFor: (file: string) => Promise<string | undefined> | string | undefined): Promise<void> {
  for (const file of leftBehind.keys()) if (!captured.written.has(file)) leftBehind.delete(file);
  await Promise.all(
    [...captured.written].map(async ([file, content]) => {
      const stamp = await stampFor(file);
      if (stamp) leftBehind.set(file, { stamp, content });
      else leftBehind.delete(file);
    }),
  );
}
