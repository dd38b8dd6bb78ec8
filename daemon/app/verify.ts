import type { Env, LoadedConfig } from '../config/load.ts';
import { messageOf } from '../errors.ts';
import { runDriftChecks, type DatabaseDriftChecks, type DriftSources } from '../drift/run.ts';
import { checkMigrations } from '../drift/migrations.ts';
import { gitOrphanLocator } from '../drift/orphans.ts';
import { checkShadow } from '../drift/shadow.ts';
import type { DriftReport, Unchecked } from '../drift/types.ts';
import type { Logger } from '../log/types.ts';
import { MemoryFile } from '../pipeline/memory.ts';
import { fingerprintCatalog } from '../targets/fingerprint.ts';
import type { Target } from '../targets/target.ts';
import { handleSignals } from './lifecycle.ts';
import { openTargets, type OpenedTargets } from './targets.ts';
import { locateProjectTools } from './tools.ts';

type Context = LoadedConfig & { logger: Logger };

/** The database-side drift checks (drift/migrations.ts, drift/shadow.ts) bound to this project. */
export function databaseDriftChecks(projectRoot: string, env: Env): DatabaseDriftChecks {
  // Applied migrations whose file is on another git branch are orphans, not deleted files.
  const orphans = gitOrphanLocator(projectRoot);
  return {
    migrations: (target, dir) => checkMigrations(target, { dir, projectRoot, orphans }),
    shadow: (target, dir, options) =>
      checkShadow(
        target,
        {
          dir,
          projectRoot,
          env,
          ...(options.signal ? { signal: options.signal } : {}),
        },
        { rollback: options.rollback },
      ),
  };
}

/**
 * What the drift checks can look at in this project: the targets that answered (an unreachable
 * one is `unchecked`), Prisma when schema.prisma and the project's prisma exist and PostgreSQL
 * answered, sqlc when sqlc.yaml and the sqlc binary exist. A configured tool that is missing is
 * `unchecked` too (exit 2), since a CI job must not pass for lack of a tool.
 */
export async function driftSources(ctx: Context, opened: OpenedTargets, reachable: Target[], memory: MemoryFile): Promise<DriftSources> {
  const { config, env } = ctx;
  const sources: DriftSources = {
    targets: reachable.map((target) => ({
      target,
      dir: opened.dirs.get(target.name)!,
    })),
    unchecked: [],
  };
  sources.database = databaseDriftChecks(config.projectRoot, env);

  const found = await locateProjectTools(config, env);
  sources.unchecked.push(...found.missing.map(({ tool, reason }) => ({ check: tool, reason })));
  if (found.prismaCli && opened.postgresUrl && reachable.some((t) => t.name === 'postgres')) {
    const generatedFrom = memory.get().prismaGeneratedFrom;
    sources.prisma = {
      context: { cli: found.prismaCli, schema: config.prisma.schema, configFile: config.prisma.configFile, databaseUrl: opened.postgresUrl },
      projectRoot: config.projectRoot,
      timeoutMs: config.prisma.timeoutMs,
      ...(generatedFrom ? { generatedFrom } : {}),
    };
  }
  if (found.sqlcBinary) {
    sources.sqlc = {
      context: { binary: found.sqlcBinary, configFile: config.sqlc.configFile },
      projectRoot: config.projectRoot,
      timeoutMs: config.sqlc.timeoutMs,
    };
  }
  return sources;
}

/** Connects each target once (no waiting: verify answers now); the unreachable ones come back as reasons. */
async function connectAll(
  targets: Target[],
  signal: AbortSignal,
): Promise<{
  reachable: Target[];
  unreachable: Array<{ target: Target; reason: string }>;
}> {
  const results = await Promise.all(
    targets.map(async (target) => {
      try {
        await target.connect(signal);
        return { target, reason: undefined };
      } catch (error) {
        return { target, reason: messageOf(error) };
      }
    }),
  );
  return {
    reachable: results.filter((r) => r.reason === undefined).map((r) => r.target),
    unreachable: results.flatMap((r) => (r.reason === undefined ? [] : [{ target: r.target, reason: r.reason }])),
  };
}

/**
 * `schemasync verify`: every drift check configuration allows, once, against the live databases.
 * Returns the report; the caller prints it and picks the exit status. A database that cannot be
 * reached makes its checks (and Prisma's, for PostgreSQL) `unchecked`.
 */
export async function verifyOnce(ctx: Context, options: { shadow: boolean; rollback: boolean }): Promise<DriftReport> {
  const controller = new AbortController();
  const stopSignals = handleSignals(ctx.logger, () => {
    controller.abort();
    return Promise.resolve();
  });
  let opened: OpenedTargets | undefined;
  try {
    opened = await openTargets(ctx.config, ctx.logger);
    const { reachable, unreachable } = await connectAll(opened.targets, controller.signal);
    const memory = await MemoryFile.open(ctx.config.projectRoot);
    const sources = await driftSources(ctx, opened, reachable, memory);
    if (sources.prisma) {
      const changed = await databaseChangedSincePull(reachable, memory);
      if (changed !== undefined) sources.prisma.databaseChanged = changed;
    }
    for (const { target, reason } of unreachable) {
      sources.unchecked.push({
        check: target.name,
        reason: `${reason}${target.name === 'postgres' ? ' (the PostgreSQL and Prisma checks did not run)' : ''}`,
      });
    }
    ctx.logger.info(
      {
        event: 'verify:start',
        targets: reachable.map((t) => t.name),
        shadow: options.shadow,
        rollback: options.rollback,
      },
      'checking for drift',
    );
    const run = await runDriftChecks(
      sources,
      {
        migrations: true,
        prisma: true,
        sqlc: true,
        shadow: options.shadow,
        rollback: options.rollback,
      },
      controller.signal,
    );
    return { findings: run.findings, unchecked: options.rollback ? rollbackRequired(run.unchecked) : run.unchecked, checked: run.ran };
  } finally {
    stopSignals();
    await opened?.close();
  }
}

/** Has the PostgreSQL catalog changed since schema.prisma was last pulled? Undefined when schemasync never pulled it or cannot tell. */
async function databaseChangedSincePull(reachable: Target[], memory: MemoryFile): Promise<boolean | undefined> {
  const pulledFrom = memory.get().prismaPulledFrom;
  const postgres = reachable.find((target) => target.name === 'postgres');
  if (!pulledFrom || !postgres) return undefined;
  try {
    return fingerprintCatalog(await postgres.introspect()) !== pulledFrom;
  } catch {
    return undefined;
  }
}

/**
 * A shadow database that may not be created is a skip when verify chose the comparison itself,
 * but `--rollback` asked for a check that then could not run: that is "could not check" (exit 2).
 */
export function rollbackRequired(unchecked: Unchecked[]): Unchecked[] {
  return unchecked.map((item) =>
    item.skipped && item.check.startsWith('rollback:')
      ? { check: item.check, reason: `${item.reason} (--rollback asked for the rollback check, which could not run)` }
      : item,
  );
}

// The CLI prints the report through app/ (DESIGN: cli/ does not import drift/ directly).
export { driftExitCode, driftJson, formatDriftReport } from '../drift/report.ts';
