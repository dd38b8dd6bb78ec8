import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { checksum } from '../migrations/checksum.ts';

/**
 * What the last successful run produced, kept across restarts in `.schemasync/state.json`
 * (git-ignored), so that a start-up against a project already in sync runs no tool at all.
 * Losing the file only costs one extra Prisma and sqlc run.
 */
export interface SyncMemory {
  /** Fingerprint of the PostgreSQL catalog that schema.prisma was last pulled from. */
  prismaPulledFrom?: string;
  /** Hash of schema.prisma as that pull left it. */
  prismaPulledSchema?: string;
  /** The Prisma version and prisma.config.ts that pull ran with (tools/prisma-identity.ts). */
  prismaPulledWith?: string;
  /** Hash of the schema.prisma text the Prisma client was last generated from. */
  prismaGeneratedFrom?: string;
  /** Hash of sqlc's inputs (sqlc.yaml, queries, migrations) at its last successful generate. */
  sqlcGeneratedFrom?: string;
  /** Fingerprint of the PostgreSQL catalog at sqlc's last successful generate. */
  sqlcCatalog?: string;
  /** The ClickHouse catalog fingerprint and the settings (folders, package) of the types step's last write. */
  clickhouseTypesFrom?: string;
}

export class MemoryFile {
  private constructor(
    private readonly file: string,
    private data: SyncMemory,
  ) {}

  static async open(projectRoot: string): Promise<MemoryFile> {
    const file = path.join(projectRoot, '.schemasync', 'state.json');
    let data: SyncMemory = {};
    try {
      data = JSON.parse(await readFile(file, 'utf8')) as SyncMemory;
    } catch {
      // Missing or unreadable: start from nothing, which only means one full tool run.
    }
    return new MemoryFile(file, data);
  }

  get(): Readonly<SyncMemory> {
    return this.data;
  }

  /** Writes in progress, one after the other: the Prisma and sqlc steps update at the same time. */
  private writing: Promise<void> = Promise.resolve();

  /**
   * Merges and writes atomically (temp file + rename), so a crash never leaves half a file.
   * Writes are serialized: two at once would share the temp file, and the second rename fail.
   */
  update(patch: Partial<SyncMemory>): Promise<void> {
    this.data = { ...this.data, ...patch };
    const write = async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      await writeFile(temp, `${JSON.stringify(this.data, null, 2)}\n`);
      await rename(temp, this.file);
    };
    this.writing = this.writing.catch(() => {}).then(write);
    return this.writing;
  }
}

/**
 * What `prisma db pull --print` would give now, when state.json shows it without running it:
 * the last pull left schema.prisma exactly as it is, from this same catalog, with the same
 * Prisma version and config. Undefined when any of it differs or is unknown. Pure.
 */
export function rememberedPull(memory: SyncMemory, now: { catalog: string; schema: string; tool: string | undefined }): string | undefined {
  const { prismaPulledFrom, prismaPulledSchema, prismaPulledWith } = memory;
  if (!prismaPulledFrom || !prismaPulledSchema || !prismaPulledWith || now.tool === undefined) return undefined;
  const same = prismaPulledFrom === now.catalog && prismaPulledSchema === checksum(now.schema) && prismaPulledWith === now.tool;
  return same ? now.schema : undefined;
}
