import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** How the worker child is started: its entry file and Node's flags for it. */
export function childCommand(heapMb: number): { entry: string; execArgv: string[] } {
  // child.ts beside this module: .ts under tsx, .js in the compiled build.
  const self = fileURLToPath(import.meta.url);
  const entry = path.join(path.dirname(self), `child${path.extname(self)}`);
  // Its live heap is ~45 MB after a GC, but V8 lets an uncapped heap grow lazily (RSS crept from
  // 250 to 340 MB over 200 runs): a bounded old space keeps it collecting (heap.ts). Under tsx
  // (a source checkout) the child needs the loader too; the compiled build runs plain.
  const execArgv = [`--max-old-space-size=${heapMb}`, ...(entry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx/esm')] : [])];
  return { entry, execArgv };
}

/** Bytes of a schema file, or of the .prisma files of a schema folder (0 when unreadable). */
export function schemaBytes(schema: string): number {
  try {
    if (!statSync(schema).isDirectory()) return statSync(schema).size;
    return prismaFilesIn(schema).reduce((sum, file) => sum + statSync(file).size, 0);
  } catch {
    return 0;
  }
}

/** What tells a changed prisma.config.ts apart: its mtime and size. */
export function stamp(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    const { mtimeMs, size } = statSync(file);
    return `${mtimeMs}:${size}`;
  } catch {
    return 'missing';
  }
}

/**
 * What tells a schema file or folder changed: the stat stamps of the file, or of the folder and
 * each .prisma file in it (a file added, removed or written shows). Undefined when unreadable.
 */
export function schemaStamp(schema: string): string | undefined {
  const of = (file: string) => {
    const { ino, size, mtimeNs, ctimeNs } = statSync(file, { bigint: true });
    return `${file}:${ino}:${size}:${mtimeNs}:${ctimeNs}`;
  };
  try {
    if (!statSync(schema).isDirectory()) return of(schema);
    return [of(schema), ...prismaFilesIn(schema, { folders: true }).map(of).sort()].join('\n');
  } catch {
    return undefined;
  }
}

/** The .prisma files (or links to one) under a schema folder, and (`folders`) the folders under it, as paths. */
function prismaFilesIn(folder: string, { folders = false } = {}): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => (e.isDirectory() ? folders : e.name.endsWith('.prisma')))
    .map((e) => path.join(e.parentPath, e.name));
}
