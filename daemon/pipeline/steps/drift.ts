import { existsSync } from 'node:fs';

import { prismaSchemaFindings } from '../../drift/prisma.ts';
import { runDriftChecks, type DriftSelection, type DriftSources } from '../../drift/run.ts';
import type { DriftChanges, DriftTracker } from '../../drift/tracker.ts';
import type { Unchecked } from '../../drift/types.ts';
import { checksum } from '../../migrations/checksum.ts';
import { fingerprintCatalog } from '../../targets/fingerprint.ts';
import { prismaPullTool } from '../../tools/prisma-identity.ts';
import { readSchemaText } from '../../tools/prisma-schema.ts';
import { touches, type Changes } from '../changes.ts';
import { rememberedPull } from '../memory.ts';
import type { Step } from '../pipeline.ts';
import type { RunState, StepDeps } from './context.ts';

export interface DriftStepSetup {
  /** What can be checked now: app/'s project model, read at each run (a sqlc config added or renamed while watching is followed). */
  sources: () => DriftSources;
  /** The findings logged so far, across runs. */
  tracker: DriftTracker;
  /** How findings and checks that could not run are logged (app/drift.ts). */
  log: DriftLog;
}

/** Logs drift as it changes; handed in by app/, which owns the wording. */
export interface DriftLog {
  /** What appeared and what was resolved since the last update. */
  changes(changes: DriftChanges): void;
  /** Checks that could not run (each distinct reason once). */
  unchecked(unchecked: Unchecked[]): void;
}

/**
 * The cheap drift checks after each run (migration drift, Prisma, sqlc; never the shadow
 * database), each only when the run touched what it reads. Each finding is logged once as a
 * warning (`event: "drift"`) and once more when it is gone (`event: "drift:resolved"`).
 *
 * `prisma db pull --print` (~1 s) is the costly part, so its output is kept per PostgreSQL catalog
 * fingerprint: while the schema stays the same, a hand edit of schema.prisma is compared with the
 * kept text at no cost, and a run whose Prisma step just pulled knows the answer already. Across
 * restarts, state.json says whether schema.prisma is still what the last pull wrote.
 */
export function driftStep(deps: StepDeps, setup: DriftStepSetup): Step<RunState> {
  // Only the latest: the schema moves forward, and an old catalog's print is never asked again.
  let lastPrinted: { fingerprint: string; printed: string } | undefined;

  return {
    name: 'drift',
    dependsOn: deps.targets.flatMap((t) => [`validate:${t.name}`, `apply:${t.name}`]),
    skipReason: (changes) => (anySelected(cheapSelection(changes, setup.sources())) ? undefined : 'nothing the drift checks read changed'),
    async run(changes, state, signal) {
      const available = setup.sources();
      const selection = cheapSelection(changes, available);
      const typesTarget = available.targets.find((t) => t.target.name === deps.typesTarget)?.target;
      const sources: DriftSources = {
        ...available,
        targets: available.targets
          .filter((t) => touches(changes, t.target.name))
          .map((t) => ({ ...t, files: state.files[t.target.name], rows: state.versions[t.target.name], ledger: state.ledgers[t.target.name] })),
      };
      let fingerprint: string | undefined;
      let known: string | undefined;
      let current: string | undefined;
      const prisma = available.prisma;
      if (selection.prisma && prisma && typesTarget) {
        fingerprint = state.typesFingerprint ?? fingerprintCatalog(await typesTarget.introspect());
        current = existsSync(prisma.context.schema) ? await readSchemaText(prisma.context.schema, deps.projectRoot).catch(() => undefined) : undefined;
        // The Prisma step pulled in this run: schema.prisma is exactly what a pull prints.
        if (state.prismaSchemaChanged !== undefined && current !== undefined) lastPrinted = { fingerprint, printed: current };
        known = lastPrinted?.fingerprint === fingerprint ? lastPrinted.printed : undefined;
        // A start-up of a project already in sync: state.json may know what a pull prints.
        if (known === undefined && current !== undefined) {
          known = rememberedPull(deps.memory.get(), { catalog: fingerprint, schema: current, tool: prismaPullTool(prisma.context) });
          if (known !== undefined) {
            deps.logger.debug(
              { event: 'drift:prisma-remembered' },
              'schema.prisma is what the last pull wrote from this database schema: no pull needed to compare',
            );
          }
        }
        const generatedFrom = deps.memory.get().prismaGeneratedFrom;
        sources.prisma = {
          ...prisma,
          ...(known !== undefined ? { printed: known } : {}),
          ...(generatedFrom ? { generatedFrom } : {}),
        };
      }
      const result = await runDriftChecks(sources, selection, signal);
      if (fingerprint !== undefined && result.prismaPrinted !== undefined) {
        lastPrinted = { fingerprint, printed: result.prismaPrinted };
        // A print schema.prisma already matches is as good as a pull: remembered for the next start.
        if (known === undefined && prisma && current !== undefined && prismaSchemaFindings('', current, result.prismaPrinted).length === 0) {
          await deps.memory.update({ prismaPulledFrom: fingerprint, prismaPulledSchema: checksum(current), prismaPulledWith: prismaPullTool(prisma.context) });
        }
      }

      setup.log.changes(setup.tracker.update(result.ran, result.findings));
      setup.log.unchecked(result.unchecked);
      const standing = setup.tracker.findings.length;
      return {
        status: 'ok' as const,
        detail: standing === 0 ? 'no drift' : `${standing} drift finding${standing === 1 ? '' : 's'} standing`,
      };
    },
  };
}

/**
 * The cheap checks whose inputs this run touched. After a migration or query change the prisma
 * and sqlc steps themselves bring their outputs up to date (or fail, which is reported), so their
 * drift checks run only on full runs (start-up: what changed while nobody watched) and, for
 * Prisma, when schema.prisma itself was edited.
 */
export function cheapSelection(changes: Changes, sources: DriftSources): DriftSelection {
  return {
    migrations: sources.targets.some((t) => touches(changes, t.target.name)),
    prisma: sources.prisma !== undefined && (changes.full || changes.prismaSchema),
    sqlc: sources.sqlc !== undefined && changes.full,
    // Like sqlc's: the types step brings the files up to date after a migration; a full run finds hand edits.
    clickhouseTypes: sources.clickhouseTypes !== undefined && changes.full,
    shadow: false,
    rollback: false,
  };
}

const anySelected = (selection: DriftSelection) => selection.migrations || selection.prisma || selection.sqlc || selection.clickhouseTypes === true;
