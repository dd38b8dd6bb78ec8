import { findDuplicateVersions } from '../migrations/plan.ts';
import { readMigrations, splitProblems } from '../migrations/source.ts';
import type { MigrationFile } from '../migrations/types.ts';
import type { EngineContext } from './context.ts';

/** Reads the target's folder. Files whose name is no migration at all are logged and left out; any other problem stops the command. */
export async function loadMigrationFiles(ctx: Pick<EngineContext, 'dir' | 'projectRoot' | 'logger' | 'target'>): Promise<MigrationFile[]> {
  const { files, problems } = await readMigrations(ctx.dir, { projectRoot: ctx.projectRoot, includeGo: true });
  const { ignored, blocking } = splitProblems(problems);
  for (const problem of ignored) {
    ctx.logger.warn(
      { event: 'migration:ignored', target: ctx.target.name, file: problem.file, err: problem.error },
      `ignoring ${problem.file}: ${problem.error.message}`,
    );
  }
  if (blocking.length > 0) throw blocking[0]!.error;
  const duplicate = findDuplicateVersions(files);
  if (duplicate) throw duplicate;
  return files;
}
