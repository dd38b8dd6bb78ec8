import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import { hasErrorCode, ToolError } from '../../errors.ts';
import { checksum } from '../../migrations/checksum.ts';
import type { MigrationFile } from '../../migrations/types.ts';
import { runTool } from '../../tools/run.ts';
import { parseSqlcErrors, sqlcGenerate, type SqlcContext } from '../../tools/sqlc.ts';
import { sqlcPaths } from '../../tools/project-files.ts';
import type { Step } from '../pipeline.ts';
import type { RunState, StepDeps } from './context.ts';

export interface SqlcSetup {
  /** sqlc's inputs now (app/'s project model follows a config added or renamed); undefined while there is no config. */
  context: () => SqlcContext | undefined;
  timeoutMs: number;
}

/**
 * `sqlc generate`, when its inputs (sqlc.yaml, the schema and query files it names) differ
 * from those of its last successful run, or its output is gone. It reads files only, so it runs
 * beside the Prisma step; it waits for apply so that it never generates code for a schema the
 * database refused.
 */
export function sqlcStep(deps: StepDeps, setup: SqlcSetup): Step<RunState> {
  const types = deps.typesTarget;
  return {
    name: 'sqlc',
    dependsOn: types ? [`validate:${types}`, `apply:${types}`] : [],
    // sqlc reads the migration files, but their effect is the schema: a migration edit that applied
    // nothing (a comment, a pending file that failed), or one that changed no table (seed rows),
    // cannot change its output. The drift check reports files edited after they were applied.
    skipReason(changes, state) {
      if (!setup.context()) return 'no sqlc config';
      if (changes.full || changes.sqlc || state.force) return undefined;
      if (state.typesFingerprint === undefined) return 'no sqlc input changed and no migration applied';
      return state.typesFingerprint === deps.memory.get().sqlcCatalog ? `${types} schema unchanged` : undefined;
    },
    async run(_changes, state, signal) {
      const context = setup.context();
      if (!context) return { status: 'skipped' as const, detail: 'no sqlc config' };
      const config = await readFile(context.configFile, 'utf8');
      const paths = sqlcPaths(config, context.configFile);
      // The migrations validate read this run are reused: at thousands of files, re-reading them costs more than sqlc itself.
      const typesDir = types && deps.dirs.get(types);
      const typesFiles = types && state.files[types];
      const known = typesDir && typesFiles ? new Map([[typesDir, typesFiles]]) : new Map<string, MigrationFile[]>();
      const inputs = await hashInputs([context.configFile, ...paths.schema, ...paths.queries], known);
      if (!state.force && inputs === deps.memory.get().sqlcGeneratedFrom && paths.outputs.every((out) => existsSync(out))) {
        return { status: 'skipped' as const, detail: 'sqlc inputs unchanged' };
      }
      try {
        await runTool(sqlcGenerate(context), { cwd: path.dirname(context.configFile), timeoutMs: setup.timeoutMs, signal });
      } catch (error) {
        throw hasErrorCode(error, 'TOOL') ? withQueryLocations(error, deps.projectRoot, context.configFile) : error;
      }
      // Unknown this run (no migration applied): keep the last one; a mismatch only costs a generate.
      await deps.memory.update({ sqlcGeneratedFrom: inputs, sqlcCatalog: state.typesFingerprint ?? deps.memory.get().sqlcCatalog });
      return { status: 'ok' as const, detail: 'generated' };
    },
  };
}

/** sqlc names query files relative to sqlc.yaml; say them relative to the project, one per line. */
function withQueryLocations(error: ToolError, projectRoot: string, configFile: string): ToolError {
  const located = parseSqlcErrors(error.details.outputTail);
  if (located.length === 0) return error;
  const lines = located.map(
    (e) => `${path.relative(projectRoot, path.resolve(path.dirname(configFile), e.file))}:${e.line}${e.column ? `:${e.column}` : ''}: ${e.message}`,
  );
  const [first, ...more] = lines;
  return new ToolError([`sqlc generate failed: ${first}`, ...more].join('\n'), error.details, { cause: error });
}

/**
 * A hash over the contents of files and of the .sql files directly in folders (as sqlc reads
 * them); `known` gives folders whose files were already read, with their checksums.
 */
async function hashInputs(paths: string[], known: Map<string, MigrationFile[]>): Promise<string> {
  const parts: string[] = [];
  for (const entry of [...new Set(paths)].sort()) {
    const info = await stat(entry).catch(() => undefined);
    const files = known.get(entry);
    if (files) {
      for (const file of files) parts.push(`${entry}/${file.name}:${file.checksum}`);
    } else if (!info) {
      parts.push(`${entry}:missing`);
    } else if (info.isDirectory()) {
      for (const name of (await readdir(entry)).filter((n) => n.endsWith('.sql')).sort()) {
        parts.push(`${entry}/${name}:${checksum(await readFile(path.join(entry, name), 'utf8'))}`);
      }
    } else {
      parts.push(`${entry}:${checksum(await readFile(entry, 'utf8'))}`);
    }
  }
  return checksum(parts.join('\n'));
}
