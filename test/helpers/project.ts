import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The repository root: the example project the tests copy. */
export const repoRoot = path.resolve(import.meta.dirname, '../..');

/** What makes up the example project (everything schemasync reads or writes). */
const PROJECT_FILES = ['migrations', 'prisma', 'prisma.config.ts', 'sqlc.yaml', 'queries', 'package.json'];

export interface TempProject {
  root: string;
  /** Absolute path of a file inside the project. */
  path(...parts: string[]): string;
  remove(): Promise<void>;
}

/**
 * A temporary copy of the example project, sharing the repository's node_modules (a symlink),
 * so tests can add, break and delete migrations and let the real tools write their output.
 * `without` leaves some of the project files out (e.g. `['migrations/clickhouse']`).
 */
export async function copyExampleProject(options: { without?: string[] } = {}): Promise<TempProject> {
  const root = await mkdtemp(path.join(tmpdir(), 'schemasync-project-'));
  for (const entry of PROJECT_FILES) {
    await cp(path.join(repoRoot, entry), path.join(root, entry), { recursive: true });
  }
  for (const entry of options.without ?? []) await rm(path.join(root, entry), { recursive: true, force: true });
  await symlink(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return {
    root,
    path: (...parts) => path.join(root, ...parts),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
