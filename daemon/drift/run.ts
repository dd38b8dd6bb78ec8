import type { Env } from '../config/load.ts';
import { hasErrorCode, messageOf } from '../errors.ts';
import type { MigrationFile, VersionRow } from '../migrations/types.ts';
import type { LedgerEntry, Target } from '../targets/target.ts';
import { checkMigrations } from './migrations.ts';
import type { OrphanLocator } from './orphans.ts';
import { checkClickHouseTypes, type ClickHouseTypesDriftOptions } from './clickhouse-types.ts';
import { checkPrisma, type PrismaDriftOptions, type PrismaDriftResult } from './prisma.ts';
import { checkShadow } from './shadow.ts';
import { checkSqlc, type SqlcDriftOptions } from './sqlc.ts';
import type { DriftReport, Unchecked } from './types.ts';

/** What can be checked in this project, as configuration allows. */
export interface DriftSources {
  /**
   * Reachable targets with their migration folders, and what this run already read of them (the
   * folder, goose's rows), so the check does not read them again.
   */
  targets: Array<{ target: Target; dir: string; files?: MigrationFile[]; rows?: VersionRow[]; ledger?: LedgerEntry[] }>;
  /** Findings name files relative to it. */
  projectRoot: string;
  /** Environment for `-- +goose ENVSUB ON` when the shadow check applies the files. */
  env: Env;
  /** Asks git where applied versions without a file came from (drift/orphans.ts). */
  orphans?: OrphanLocator;
  /** Watch mode and `sync`: the apply step holds untouched templates and says so (MigrationFacts.templatesHeld). */
  templatesHeld?: boolean;
  /** Set when schema.prisma exists, the project has prisma, and PostgreSQL is reachable. */
  prisma?: Omit<PrismaDriftOptions, 'signal'>;
  /** Set when sqlc.yaml exists and the sqlc binary was found. */
  sqlc?: Omit<SqlcDriftOptions, 'signal'>;
  /** Set when ClickHouse is on and reachable: its generated types. */
  clickhouseTypes?: ClickHouseTypesDriftOptions;
  /** Checks already known not to be possible (unreachable database, missing tool). */
  unchecked: Unchecked[];
}

/** Which checks to run. watch mode: the cheap ones, and only those the run touched. */
export interface DriftSelection {
  migrations: boolean;
  prisma: boolean;
  sqlc: boolean;
  /** The generated ClickHouse types (off when not given). */
  clickhouseTypes?: boolean;
  shadow: boolean;
  rollback: boolean;
}

export interface DriftRun extends DriftReport {
  /** The checks that ran completely (tracker.ts `checkOf` names), so watch mode knows what was looked at. */
  ran: string[];
  /** The schema Prisma's pull printed, when the Prisma check pulled (watch mode caches it). */
  prismaPrinted?: string;
}

/**
 * Runs every selected check that the sources allow and merges their findings into one report.
 * Migration checks run per target first (they are queries); Prisma and sqlc run side by side
 * (two child processes); the shadow comparison runs last, alone (it builds a database).
 * Never throws but for cancellation: a check that fails to run becomes an `unchecked` entry.
 */
export async function runDriftChecks(sources: DriftSources, selection: DriftSelection, signal?: AbortSignal): Promise<DriftRun> {
  const result: DriftRun = {
    findings: [],
    unchecked: [...sources.unchecked],
    ran: [],
  };
  const add = (check: string, report: DriftReport) => {
    // A check that could not fully run has not shown its earlier findings to be resolved.
    if (report.unchecked.length === 0) result.ran.push(check);
    result.findings.push(...report.findings);
    result.unchecked.push(...report.unchecked);
  };
  const guarded = async (check: string, fn: () => Promise<DriftReport>) => {
    try {
      add(check, await fn());
    } catch (error) {
      if (hasErrorCode(error, 'CANCELLED')) throw error;
      result.unchecked.push({ check, reason: messageOf(error) });
    }
  };

  const { projectRoot, env, orphans } = sources;
  if (selection.migrations) {
    for (const { target, dir, files, rows, ledger } of sources.targets) {
      const known = { ...(files ? { files } : {}), ...(rows ? { rows } : {}), ...(ledger ? { ledger } : {}) };
      await guarded(`migrations:${target.name}`, () =>
        checkMigrations(target, { dir, projectRoot, ...known, ...(orphans ? { orphans } : {}), templatesHeld: sources.templatesHeld === true }),
      );
    }
  }
  const { prisma, sqlc } = sources;
  await Promise.all([
    selection.prisma && prisma
      ? guarded('prisma', async () => {
          const report: PrismaDriftResult = await checkPrisma({
            ...prisma,
            ...(signal ? { signal } : {}),
          });
          if (report.printed !== undefined) result.prismaPrinted = report.printed;
          return report;
        })
      : undefined,
    selection.sqlc && sqlc ? guarded('sqlc', () => checkSqlc({ ...sqlc, ...(signal ? { signal } : {}) })) : undefined,
    selection.clickhouseTypes && sources.clickhouseTypes ? guarded('clickhouse-types', () => checkClickHouseTypes(sources.clickhouseTypes!)) : undefined,
  ]);
  if (selection.shadow || selection.rollback) {
    for (const { target, dir } of sources.targets) {
      const ctx = { dir, projectRoot, env, ...(signal ? { signal } : {}) };
      await guarded(`shadow:${target.name}`, () => checkShadow(target, ctx, { rollback: selection.rollback }));
    }
  }
  return result;
}
