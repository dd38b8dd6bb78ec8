import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { fingerprintCatalog } from '../../targets/fingerprint.ts';
import type { Target } from '../../targets/target.ts';
import { clickhouseTypeFiles, GENERATOR_VERSION, goModulesFor } from '../../tools/clickhouse-types/index.ts';
import type { Step } from '../pipeline.ts';
import type { RunState, StepDeps } from './context.ts';

export interface ClickHouseTypesSetup {
  target: Target;
  /** Absolute folder of the TypeScript row types. */
  tsDir: string;
  /** Go structs for clickhouse-go, when configured. */
  go: { dir: string; packageName: string } | undefined;
}

/**
 * Writes the row types of the ClickHouse tables (TypeScript, and Go when configured) after the
 * ClickHouse apply, only when the ClickHouse catalog changed since the last write (or an output
 * is gone): a migration that only inserts rows costs nothing. A file whose text is already right
 * is not touched (a watcher on it, e.g. `next dev`, sees no change). A hand edit is overwritten
 * only when the schema changes; until then the drift check reports it.
 */
export function clickhouseTypesStep(deps: StepDeps, setup: ClickHouseTypesSetup): Step<RunState> {
  const { target } = setup;
  const settingsKey = JSON.stringify([
    GENERATOR_VERSION,
    path.relative(deps.projectRoot, setup.tsDir),
    setup.go ? [path.relative(deps.projectRoot, setup.go.dir), setup.go.packageName] : null,
  ]);
  const outputs = () => [path.join(setup.tsDir, 'index.ts'), ...(setup.go ? [path.join(setup.go.dir, 'models.go')] : [])];
  const key = (fingerprint: string) => `${fingerprint} ${settingsKey}`;
  // Each unknown column is said once per process, not once per run.
  const warned = new Set<string>();

  const needed = (state: RunState): boolean => {
    if (state.force || outputs().some((file) => !existsSync(file))) return true;
    const fingerprint = state.fingerprints?.[target.name];
    const remembered = deps.memory.get().clickhouseTypesFrom;
    if (fingerprint !== undefined) return key(fingerprint) !== remembered;
    // Not fingerprinted this run (nothing applied): only a change of settings since the last write matters.
    return remembered === undefined || !remembered.endsWith(` ${settingsKey}`);
  };

  return {
    name: 'clickhouse-types',
    dependsOn: [`validate:${target.name}`, `apply:${target.name}`],
    skipReason: (_changes, state) => (needed(state) ? undefined : 'ClickHouse schema unchanged'),
    async run(_changes, state, signal) {
      if (!target.describeTables) return { status: 'skipped' as const, detail: `${target.name} cannot describe its tables` };
      const tables = await target.describeTables(signal);
      const source = path.relative(deps.projectRoot, deps.dirs.get(target.name) ?? '') || '.';
      const go = setup.go ? { ...setup.go, modules: await goModulesFor(setup.go.dir, deps.projectRoot) } : undefined;
      const generated = clickhouseTypeFiles(tables, { tsDir: setup.tsDir, go, source });
      for (const warning of generated.warnings) {
        const id = `${warning.table}.${warning.column} ${warning.type}`;
        if (warned.has(id)) continue;
        warned.add(id);
        deps.logger.warn(
          { event: 'clickhouse-types:unknown', table: warning.table, column: warning.column, type: warning.type },
          `${warning.table}.${warning.column} (${warning.type}) is typed unknown / any in the generated ClickHouse types: ${warning.reason}`,
        );
      }
      let written = 0;
      for (const file of generated.files) {
        if (await writeIfChanged(file.path, file.text)) written++;
      }
      const fingerprint = state.fingerprints?.[target.name] ?? fingerprintCatalog(await target.introspect());
      await deps.memory.update({ clickhouseTypesFrom: key(fingerprint) });
      const count = `${tables.length} table${tables.length === 1 ? '' : 's'}`;
      return { status: 'ok' as const, detail: written === 0 ? `${count}, files already up to date` : count };
    },
  };
}

/** Writes through a temp file and a rename, so no reader ever sees half a file; false when the text is already there. */
async function writeIfChanged(file: string, text: string): Promise<boolean> {
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current === text) return false;
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
  return true;
}
