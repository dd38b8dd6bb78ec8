/**
 * What to apply or roll back, from the files on disk and goose's version rows: the goose CLI's
 * rules (goose-spec §3 "Current version" / "Applied set", §6 up / down / down-to / status,
 * `-allow-missing`). Pure: no database, no file system.
 */
import { PlanError } from '../errors.ts';
import type { MigrationFile, StatusRow, VersionRow } from './types.ts';

export interface UpPlan {
  /** Files to apply, in order: out-of-order ones first (only with allowMissing), then new ones. */
  toApply: MigrationFile[];
  /** Files older than the newest applied version that were never applied. */
  outOfOrder: MigrationFile[];
  /** Versions applied on the database that have no file (version 0 excluded), ascending. */
  missingFiles: number[];
  /** The CLI's current version before applying (see `currentVersion`). */
  currentVersion: number;
}

/**
 * A PlanError naming every file of each duplicated version, or undefined. goose's CLI panics on
 * duplicates; schemasync refuses to apply instead and says which files to rename.
 */
export function findDuplicateVersions(files: MigrationFile[]): PlanError | undefined {
  const byVersion = new Map<number, MigrationFile[]>();
  for (const file of files) byVersion.set(file.version, [...(byVersion.get(file.version) ?? []), file]);
  const duplicates = [...byVersion.entries()].filter(([, group]) => group.length > 1).sort(([a], [b]) => a - b);
  if (duplicates.length === 0) return undefined;
  const lines = duplicates.map(([version, group]) => `version ${version}: ${group.map((file) => file.path).join(' and ')}`);
  return new PlanError(
    `duplicate migration versions; goose refuses such a folder, so rename one file of each pair:\n\t${lines.join('\n\t')}`,
  );
}

/**
 * goose's rule for what a version's rows mean: the version's newest row decides (by appliedAt, as
 * goose's status orders by tstamp; rows without a time count as oldest; ties keep list order, and
 * PostgreSQL lists newest id first). Since goose v2.5 a roll-back deletes the version's rows, so
 * only databases written by older goose have `is_applied = false` rows; this is where they are read.
 * One pass over the rows: at 2,000 migrations a pass per file was 4 million steps.
 */
export function latestRows(rows: VersionRow[]): Map<number, VersionRow> {
  const latest = new Map<number, VersionRow>();
  for (const row of rows) {
    const seen = latest.get(row.version);
    if (!seen || (row.appliedAt?.getTime() ?? -Infinity) > (seen.appliedAt?.getTime() ?? -Infinity)) latest.set(row.version, row);
  }
  return latest;
}

/** Versions other than 0 that are applied: their newest row says so (`latestRows`). */
export function appliedVersions(rows: VersionRow[]): Set<number> {
  const applied = new Set<number>();
  for (const [version, row] of latestRows(rows)) if (row.isApplied && version !== 0) applied.add(version);
  return applied;
}

/** Applied versions (≠ 0) that have no file, ascending: deleted files, or orphans of another branch. */
export function appliedWithoutFile(files: MigrationFile[], rows: VersionRow[]): number[] {
  const onDisk = new Set(files.map((file) => file.version));
  return [...appliedVersions(rows)].filter((version) => !onDisk.has(version)).sort((a, b) => a - b);
}

/**
 * Files older than the newest version the database has seen that it never recorded: goose up's
 * "missing migrations". goose's up counts a version as present when any row names it (a legacy
 * roll-back row included) and takes the maximum over those; `databaseMax` is that maximum.
 */
export function outOfOrderFiles(files: MigrationFile[], rows: VersionRow[]): { outOfOrder: MigrationFile[]; databaseMax: number } {
  const recorded = latestRows(rows);
  const databaseMax = Math.max(0, ...recorded.keys());
  const outOfOrder = sortByVersion(files).filter((file) => file.version > 0 && !recorded.has(file.version) && file.version < databaseMax);
  return { outOfOrder, databaseMax };
}

/**
 * goose CLI's current version: walk the rows in list order (PostgreSQL newest id first,
 * ClickHouse highest version first) and return the first version whose newest row is applied.
 * After an out-of-order apply this is the most recently applied version, not the highest.
 * Returns 0 where goose would fail with "no next version found" (no rows, or none applied).
 */
export function currentVersion(rows: VersionRow[]): number {
  const latest = latestRows(rows);
  for (const row of rows) if (latest.get(row.version)?.isApplied) return row.version;
  return 0;
}

/**
 * goose `up` / `up-to V`. Files above `toVersion` are left out. A version counts as done when any
 * row names it (goose's up ignores is_applied: a legacy roll-back row keeps its file from running
 * again; see `outOfOrderFiles`). Throws PlanError with goose's "found N missing migrations before
 * current version M" listing when out-of-order files exist and `allowMissing` is false.
 */
export function planUp(files: MigrationFile[], rows: VersionRow[], options: { toVersion?: number; allowMissing: boolean }): UpPlan {
  const target = options.toVersion ?? Number.MAX_SAFE_INTEGER;
  const candidates = sortByVersion(files).filter((file) => file.version > 0 && file.version <= target);
  const recorded = latestRows(rows);
  const { outOfOrder, databaseMax } = outOfOrderFiles(candidates, rows);
  if (outOfOrder.length > 0 && !options.allowMissing) {
    const listing = outOfOrder.map((file) => `version ${file.version}: ${file.path}`).join('\n\t');
    throw new PlanError(`error: found ${outOfOrder.length} missing migrations before current version ${databaseMax}:\n\t${listing}`);
  }
  const newer = candidates.filter((file) => !recorded.has(file.version) && file.version > databaseMax);
  return {
    toApply: options.allowMissing ? [...outOfOrder, ...newer] : newer,
    outOfOrder,
    missingFiles: appliedWithoutFile(files, rows),
    currentVersion: currentVersion(rows),
  };
}

/**
 * goose `down` (no `toVersion`): the current version's file. goose `down-to V`: repeatedly the
 * current version's file, as if each roll-back deleted that version's rows, until the current
 * version is 0 or at most V. Returns the files in roll-back order.
 *
 * Throws PlanError when plain `down` finds nothing to roll back (current version 0), and when a
 * version to roll back has no file. Deviation: goose's down-to discovers a missing file only
 * after rolling back the versions before it; schemasync refuses before rolling back any.
 */
export function planDown(files: MigrationFile[], rows: VersionRow[], options: { toVersion?: number }): MigrationFile[] {
  const byVersion = new Map(files.map((file) => [file.version, file] as const));
  const fileFor = (version: number): MigrationFile => {
    const file = byVersion.get(version);
    if (!file) {
      throw new PlanError(`migration ${version}: no current version found: version ${version} is applied but has no migration file to roll it back with`);
    }
    return file;
  };

  if (options.toVersion === undefined) {
    const current = currentVersion(rows);
    if (current === 0) throw new PlanError('no migration to roll back: the current version is 0');
    return [fileFor(current)];
  }

  const plan: MigrationFile[] = [];
  let remaining = rows;
  for (;;) {
    const current = currentVersion(remaining);
    if (current === 0) break;
    // goose looks the file up before comparing with the target, so a missing file fails even at the target.
    const file = fileFor(current);
    if (file.version <= options.toVersion) break;
    plan.push(file);
    remaining = remaining.filter((row) => row.version !== current);
  }
  return plan;
}

/**
 * goose `status`, plus what goose leaves out: one row per file in version order, `applied` when
 * the version's newest row (by appliedAt, as goose's query orders by tstamp) is applied, else
 * `pending`; and a `missing` row for every applied version other than 0 that has no file.
 */
export function statusRows(target: string, files: MigrationFile[], rows: VersionRow[]): StatusRow[] {
  const latest = latestRows(rows);
  const result: StatusRow[] = sortByVersion(files).map((file) => {
    const newest = latest.get(file.version);
    const applied = newest?.isApplied === true;
    return { target, version: file.version, file: file.name, state: applied ? 'applied' : 'pending', appliedAt: applied ? newest.appliedAt : null };
  });
  for (const version of appliedWithoutFile(files, rows)) {
    result.push({ target, version, file: null, state: 'missing', appliedAt: latest.get(version)?.appliedAt ?? null });
  }
  // Stable sort: a missing row lands among the files by version.
  return result.sort((a, b) => a.version - b.version);
}

function sortByVersion(files: MigrationFile[]): MigrationFile[] {
  return [...files].sort((a, b) => a.version - b.version || a.name.localeCompare(b.name));
}
