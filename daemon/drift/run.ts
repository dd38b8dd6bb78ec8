import { isSchemasyncError, messageOf } from '../errors.ts';
import type { Target } from '../targets/target.ts';
import { checkPrisma, type PrismaDriftOptions, type PrismaDriftResult } from './prisma.ts';
import { checkSqlc, type SqlcDriftOptions } from './sqlc.ts';
import type { DriftReport, Unchecked } from './types.ts';

/**
 * The database-side checks (migration drift, the shadow comparison and the rollback check),
 * handed in by the composition root so this module only composes. Each catches its own "could
 * not check" cases into `unchecked`.
 */
export interface DatabaseDriftChecks {
  migrations(target: Target, dir: string, signal?: AbortSignal): Promise<DriftReport>;
  shadow(target: Target, dir: string, options: { rollback: boolean; signal?: AbortSignal }): Promise<DriftReport>;
}

/** What can be checked in this project, as configuration allows. */
export interface DriftSources {
  /** Reachable targets with their migration folders. */
  targets: Array<{ target: Target; dir: string }>;
  /** Set when schema.prisma exists, the project has prisma, and PostgreSQL is reachable. */
  prisma?: Omit<PrismaDriftOptions, 'signal'>;
  /** Set when sqlc.yaml exists and the sqlc binary was found. */
  sqlc?: Omit<SqlcDriftOptions, 'signal'>;
  /** Checks already known not to be possible (unreachable database, missing tool). */
  unchecked: Unchecked[];
  database?: DatabaseDriftChecks;
}

/** Which checks to run. watch mode: the cheap ones, and only those the run touched. */
export interface DriftSelection {
  migrations: boolean;
  prisma: boolean;
  sqlc: boolean;
  shadow: boolean;
  rollback: boolean;
}

export const ALL_CHEAP_CHECKS: DriftSelection = {
  migrations: true,
  prisma: true,
  sqlc: true,
  shadow: false,
  rollback: false,
};

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
      if (isSchemasyncError(error) && error.code === 'CANCELLED') throw error;
      result.unchecked.push({ check, reason: messageOf(error) });
    }
  };

  const { database } = sources;
  if (selection.migrations && database) {
    for (const { target, dir } of sources.targets) await guarded(`migrations:${target.name}`, () => database.migrations(target, dir, signal));
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
  ]);
  if ((selection.shadow || selection.rollback) && database) {
    for (const { target, dir } of sources.targets) {
      await guarded(`shadow:${target.name}`, () =>
        database.shadow(target, dir, {
          rollback: selection.rollback,
          ...(signal ? { signal } : {}),
        }),
      );
    }
  } else if ((selection.shadow || selection.rollback) && !database) {
    result.unchecked.push({
      check: 'shadow',
      reason: 'the shadow database comparison is not available in this build',
    });
  }
  return result;
}
