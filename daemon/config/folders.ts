import { existsSync } from 'node:fs';

import { ConfigError } from '../errors.ts';
import { shownPath } from '../util/paths.ts';
import { DEFAULT_SPEC, dirFlag, dirKey, targetSpec, type TargetName } from './targets.ts';
import { gooseFolderCandidates } from './discover.ts';
import type { LoadedConfig } from './load.ts';

/**
 * A migrations folder that does not exist is a configuration problem (exit 2), said before any
 * database is opened: `status` must not call every applied migration missing, and `create` must
 * not make a folder nothing watches. The daemon waits for a missing folder instead (it may be
 * created later), and says so in its start-up summary.
 */
export function checkMigrationFolders(loaded: LoadedConfig, command: string): void {
  // The daemon waits for a missing folder; init is how one names it.
  if (command === 'watch' || command === 'init') return;
  const { config, origins } = loaded;
  const problems: string[] = [];
  // `create` writes to one folder: the --target's, else goose's (GOOSE_DRIVER's target).
  const targets: TargetName[] = command === 'create' ? [config.defaultTarget] : config.targets;
  for (const target of targets) {
    const dir = config[target].dir;
    if (existsSync(dir)) continue;
    const origin = origins?.[dirKey(target)] ?? 'default';
    // `create` in a configured folder makes it: the user named it.
    if (command === 'create' && origin !== 'default') continue;
    const candidates = gooseFolderCandidates(config.projectRoot);
    if (command === 'create' && candidates.length === 0) continue;
    problems.push(missingFolderMessage(config.projectRoot, dir, origin, target, candidates));
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

export function missingFolderMessage(root: string, dir: string, origin: string, target: TargetName, candidates: string[]): string {
  const shown = shownPath(root, dir);
  const from = origin === 'default' ? 'the default' : `from ${origin}`;
  const where = candidates.length > 0 ? `goose migrations are in ${candidates.join(', ')}: ` : '';
  // goose's variables mean the default target unless GOOSE_DRIVER names another.
  const env = target === DEFAULT_SPEC.name ? 'GOOSE_MIGRATION_DIR' : `GOOSE_MIGRATION_DIR with GOOSE_DRIVER=${targetSpec(target).gooseDrivers[0]}`;
  return `${target} migrations folder ${shown} (${from}) does not exist; ${where}name the folder with ${env}, ${dirFlag(target)} or "${dirKey(target)}" in schemasync.config.json (\`schemasync init\` writes it)`;
}
