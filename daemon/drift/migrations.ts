/**
 * Migration drift of one target: pending files, applied versions whose file is gone, unapplied
 * files older than the newest applied one, files edited after they were applied (against the
 * ledger's copy), and file names whose alphabetical order differs from their version order.
 * The findings are pure functions of (files, version rows, ledger entries); `checkMigrations`
 * reads those and never writes.
 */
import path from 'node:path';

import { messageOf } from '../errors.ts';
import { isUntouchedTemplate } from '../migrations/filename.ts';
import { appliedVersions, appliedWithoutFile } from '../migrations/plan.ts';
import { readMigrations, splitProblems } from '../migrations/source.ts';
import type { MigrationFile, VersionRow } from '../migrations/types.ts';
import type { LedgerEntry, Target } from '../targets/target.ts';
import { shownPath } from '../util/paths.ts';
import { lineDiff } from './diff.ts';
import type { Orphan, OrphanLocator } from './orphans.ts';
import type { DriftReport, Finding } from './types.ts';

/** goose's one rule for "applied" (migrations/plan.ts), as drift reads it. */
export { appliedVersions } from '../migrations/plan.ts';

export interface MigrationFacts {
  target: string;
  /** The migrations folder as shown to users (project-relative), e.g. `migrations/postgres`. */
  dir: string;
  files: MigrationFile[];
  rows: VersionRow[];
  /** undefined when the target keeps no ledger: the edited check is left out. */
  ledger: LedgerEntry[] | undefined;
  /** Applied versions without a file that git has on another branch (drift/orphans.ts). */
  orphans?: Orphan[];
  /** Watch mode: the apply step holds a pending untouched template and says so; no finding repeats it. */
  templatesHeld?: boolean;
}

/** Findings of every migration kind but `migration-order`, sorted by version. Pure. */
export function migrationFindings(facts: MigrationFacts): Finding[] {
  const { target, files, rows } = facts;
  const applied = appliedVersions(rows);
  const newestApplied = Math.max(0, ...applied);
  const found: Array<{ version: number; finding: Finding }> = [];
  const add = (version: number, finding: Finding) => found.push({ version, finding });

  for (const file of files) {
    if (applied.has(file.version)) continue;
    if (file.version < newestApplied) {
      add(file.version, {
        kind: 'migration-out-of-order',
        target,
        key: `migration-out-of-order:${target}:${file.version}`,
        message: `${file.path} is older than the newest applied migration (version ${newestApplied}) but was never applied on ${target}`,
        hint: `rename it with a version newer than ${newestApplied} (e.g. a current timestamp), or apply it out of order with --allow-missing`,
        file: file.path,
      });
    } else if (!file.go && isUntouchedTemplate(file.text)) {
      if (facts.templatesHeld) continue;
      add(file.version, {
        kind: 'migration-pending',
        target,
        key: `migration-pending:${target}:${file.version}`,
        message: `${file.path} is not applied on ${target} yet: it still holds the template \`create\` wrote`,
        hint: 'write its Up and Down SQL; `schemasync watch` applies it when the file is saved',
        file: file.path,
      });
    } else {
      add(file.version, {
        kind: 'migration-pending',
        target,
        key: `migration-pending:${target}:${file.version}`,
        message: `${file.path} is not applied on ${target} yet`,
        hint: file.go
          ? "a Go migration: run it with the project's own goose build (the binary that registers it)"
          : 'run `schemasync up` (watch mode applies it when the file is saved)',
        file: file.path,
      });
    }
  }

  const byVersion = new Map(files.map((file) => [file.version, file] as const));
  const ledger = new Map((facts.ledger ?? []).map((entry) => [entry.version, entry] as const));
  const orphans = new Map((facts.orphans ?? []).filter((o) => applied.has(o.version) && !byVersion.has(o.version)).map((o) => [o.version, o] as const));
  for (const finding of orphanFindings(target, [...orphans.values()])) add(finding.version, finding.finding);
  for (const version of [...applied].sort((a, b) => a - b)) {
    const file = byVersion.get(version);
    const entry = ledger.get(version);
    if (!file && orphans.has(version)) continue;
    if (!file) {
      const was = entry ? ` (it was ${entry.file})` : '';
      add(version, {
        kind: 'migration-file-missing',
        target,
        key: `migration-file-missing:${target}:${version}`,
        message: `version ${version} is applied on ${target}, but its file is gone from ${facts.dir}${was}`,
        hint: 'restore the file (e.g. from git); to undo the migration, restore it and run `schemasync down` before deleting it',
      });
      continue;
    }
    if (entry && !file.go && entry.checksum !== file.checksum) {
      add(version, {
        kind: 'migration-edited',
        target,
        key: `migration-edited:${target}:${version}:${file.checksum}`,
        message: `${file.path} was edited after it was applied on ${target}; the database still has the applied version`,
        hint: 'revert the edit and write a new migration (goose never re-runs an applied file)',
        file: file.path,
        detail: lineDiff(entry.text, file.text, { labels: ['applied', 'file now'] })?.text,
      });
    }
  }
  // Stable: per version, the order above.
  return found.sort((a, b) => a.version - b.version).map(({ finding }) => finding);
}

/**
 * One `migration-orphan` finding per branch (a switch is one line, however many migrations it
 * left behind), placed at its newest version. Pure.
 */
function orphanFindings(target: string, orphans: Orphan[]): Array<{ version: number; finding: Finding }> {
  const bySource = new Map<string, Orphan[]>();
  for (const orphan of orphans) bySource.set(orphan.source, [...(bySource.get(orphan.source) ?? []), orphan]);
  return [...bySource.entries()].map(([source, group]) => {
    const names = group.map((orphan) => orphan.file);
    const plural = group.length === 1 ? '' : 's';
    return {
      version: Math.max(...group.map((orphan) => orphan.version)),
      finding: {
        kind: 'migration-orphan' as const,
        target,
        key: `migration-orphan:${target}:${source}:${group.map((orphan) => orphan.version).join(',')}`,
        message: `${names.join(', ')} ${group.length === 1 ? 'is' : 'are'} applied on ${target} from ${source}, which is not checked out (the file${plural} exist${group.length === 1 ? 's' : ''} only there)`,
        hint: `roll ${group.length === 1 ? 'it' : 'them'} back with \`schemasync down --orphans\` (each with the Down it was applied with), or run \`schemasync watch --follow-branch\` to do so on every switch; or check out ${group[0]!.checkout} again`,
      },
    };
  });
}

/**
 * `migration-order`: sqlc reads a schema folder alphabetically, goose by version, so where the
 * two orders disagree sqlc builds the schema in the wrong order. One finding per neighbouring
 * pair (in name order) whose versions go backwards. Pure.
 */
export function migrationOrderFindings(target: string, files: MigrationFile[]): Finding[] {
  const byName = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const findings: Finding[] = [];
  for (let index = 1; index < byName.length; index++) {
    const before = byName[index - 1]!;
    const after = byName[index]!;
    if (before.version <= after.version) continue;
    findings.push({
      kind: 'migration-order',
      target,
      key: `migration-order:${target}:${before.name}:${after.name}`,
      message: `${before.path} sorts before ${after.name} by name but has a higher version (${before.version} > ${after.version}); sqlc reads the folder alphabetically and would build the schema in a different order than goose`,
      hint: 'rename the files so that name order and version order agree (timestamp versions, or zero-padded numbers of equal width)',
      file: before.path,
    });
  }
  return findings;
}

export interface CheckContext {
  /** The target's migrations folder (absolute, or relative to projectRoot). */
  dir: string;
  projectRoot: string;
  /** Asks git where the files of applied versions that have none came from; without it they are all `migration-file-missing`. */
  orphans?: OrphanLocator;
  /** The folder as the caller already read it (the run's validate step); read here when absent. */
  files?: MigrationFile[];
  /** goose's version rows as the caller already read them; read here when absent. */
  rows?: VersionRow[];
  /** schemasync's ledger as the caller already read it; read here when absent. */
  ledger?: LedgerEntry[];
  /** See MigrationFacts.templatesHeld. */
  templatesHeld?: boolean;
}

/**
 * Reads files, goose's version rows and the ledger of `target` and returns every migration
 * finding including `migration-order`. A connection failure or an unreadable folder is an
 * `unchecked` entry, never a throw. Connects the target if needed; takes no lock, writes nothing
 * (except goose's version table when missing, as listVersions does).
 */
export async function checkMigrations(target: Target, ctx: CheckContext): Promise<DriftReport> {
  const check = `migrations:${target.name}`;
  // Go migrations included: a version goose's own build applied has its file.
  const { files, problems } = ctx.files ? { files: ctx.files, problems: [] } : await readMigrations(ctx.dir, { projectRoot: ctx.projectRoot, includeGo: true });
  const dir = shownPath(ctx.projectRoot, path.resolve(ctx.projectRoot, ctx.dir));
  // Names goose would not take are ignored as the engine ignores them; other problems are reported by validate.
  const { blocking } = splitProblems(problems);
  if (blocking.length > 0 && files.length === 0) {
    return { findings: [], unchecked: [{ check, reason: blocking.map((problem) => problem.error.message).join('; ') }] };
  }
  try {
    await target.connect();
    const rows = ctx.rows ?? (await target.listVersions());
    const ledger = ctx.ledger ?? (target.ledger ? await target.ledger.list() : undefined);
    const missing = appliedWithoutFile(files, rows);
    const orphans = ctx.orphans && missing.length > 0 ? await ctx.orphans.locate(path.resolve(ctx.projectRoot, ctx.dir), missing) : [];
    const findings = [
      ...migrationFindings({ target: target.name, dir, files, rows, ledger, orphans, templatesHeld: ctx.templatesHeld }),
      ...migrationOrderFindings(target.name, files),
    ];
    const unchecked = blocking.map((problem) => ({ check, reason: `${problem.error.message} (left out of the check)` }));
    return { findings, unchecked };
  } catch (error) {
    return { findings: [], unchecked: [{ check, reason: `could not read the ${target.name} migration state at ${target.where}: ${messageOf(error)}` }] };
  }
}
