import path from 'node:path';

import { isUntouchedTemplate } from '../migrations/filename.ts';
import { currentVersion, planUp } from '../migrations/plan.ts';
import type { MigrationFile, VersionRow } from '../migrations/types.ts';
import type { LedgerEntry } from '../targets/target.ts';
import type { EngineContext, EngineResult } from './context.ts';
import { loadMigrationFiles } from './files.ts';
import { adoptGooseVersions } from './ledger.ts';
import { runLocked, runMigrations, stepsOf } from './run.ts';

export interface UpOptions {
  toVersion?: number;
  /** The folder as already read by the caller (the pipeline's validate step). */
  files?: MigrationFile[];
  /**
   * Watch mode: when the newest applied migration passes this test (it is among the changed
   * files) and its text differs from the ledger's, re-apply it first (see `reapplyEditedNewest`).
   */
  reapplyIf?: (file: MigrationFile) => boolean;
  /**
   * Watch mode: stop before the first pending file whose text is still goose's untouched
   * template (`create` wrote it a moment ago; its SQL is not written yet). Applied, it would be
   * "edited after it was applied" as soon as the developer fills it in.
   */
  holdTemplates?: boolean;
  /** Applied versions without a file that were already reported (orphans of another git branch): no file-missing warning. */
  quietMissing?: number[];
}

/** goose up / up-to, after adopting goose-applied versions into the ledger (and, in watch mode, re-applying the edited newest migration). */
export async function migrateUp(ctx: EngineContext, options: UpOptions = {}): Promise<EngineResult> {
  return runLocked(ctx, async (result) => {
    const files = options.files ?? (await loadMigrationFiles(ctx));
    const rows = await ctx.target.listVersions();
    const plan = planUp(files, rows, { toVersion: options.toVersion, allowMissing: ctx.allowMissing });
    reportMissingFiles(
      ctx,
      plan.missingFiles.filter((version) => !options.quietMissing?.includes(version)),
    );
    // The ledger is read once here and once more only if this command wrote to it: drift reuses it.
    const ledgerTable = ctx.target.ledger;
    const ledger = ledgerTable ? await ledgerTable.list() : undefined;
    const adopted = ledger ? await adoptGooseVersions(ctx, files, rows, ledger) : false;
    if (options.reapplyIf && ledger) await reapplyEditedNewest(ctx, files, rows, ledger, options.reapplyIf, result);
    const template = options.holdTemplates ? plan.toApply.findIndex((file) => !file.go && isUntouchedTemplate(file.text)) : -1;
    if (template !== -1) result.waitingForSql = plan.toApply[template];
    const units = await runMigrations(ctx, stepsOf(template === -1 ? plan.toApply : plan.toApply.slice(0, template), 'up'), result, rows);
    if (units.length === 0 && result.applied.length === 0) {
      ctx.logger.debug(
        { event: 'migrate:noop', target: ctx.target.name, version: plan.currentVersion },
        `no migrations to run, current version: ${plan.currentVersion}`,
      );
    }
    result.ledger = ledgerTable && (adopted || result.applied.length > 0) ? await ledgerTable.list() : ledger;
    return rows;
  });
}

/**
 * The migration being written: when the newest applied migration (goose's current version) is
 * selected by `reapplyIf` and its text differs from the ledger's copy, run the Down of the
 * applied text and then the new Up through `applyAtomically` (one transaction on PostgreSQL, so
 * a failing new Up leaves the old state). Without a ledger entry there is no applied text to
 * undo with, so nothing is done.
 */
async function reapplyEditedNewest(
  ctx: EngineContext,
  files: MigrationFile[],
  rows: VersionRow[],
  ledger: LedgerEntry[],
  reapplyIf: (file: MigrationFile) => boolean,
  result: EngineResult,
): Promise<void> {
  const newest = currentVersion(rows);
  const file = files.find((candidate) => candidate.version === newest);
  if (!file || file.go || !reapplyIf(file)) return;
  const entry = ledger.find((candidate) => candidate.version === newest);
  if (!entry || entry.checksum === file.checksum) return;
  const applied: MigrationFile = { ...file, text: entry.text, checksum: entry.checksum };
  await runMigrations(
    ctx,
    [
      { file: applied, direction: 'down' },
      { file, direction: 'up' },
    ],
    result,
    rows,
    {
      atomic: true,
      line: () => ({ msg: `re-applied ${file.name}: down (applied text) + up (new text)`, fields: { event: 'migration:reapplied', direction: undefined } }),
    },
  );
}

function reportMissingFiles(ctx: EngineContext, versions: number[]): void {
  for (const version of versions) {
    ctx.logger.warn(
      { event: 'migration:file-missing', target: ctx.target.name, version },
      `version ${version} is applied on ${ctx.target.name} but has no file in ${path.relative(ctx.projectRoot, ctx.dir) || '.'}`,
    );
  }
}
