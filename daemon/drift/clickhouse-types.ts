import { ROW_TYPES_SPEC } from '../config/targets.ts';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import type { Target } from '../targets/target.ts';
import { clickhouseTypeFiles, goModulesFor, headerSchema } from '../tools/clickhouse-types/index.ts';
import { schemaHash } from '../tools/clickhouse-types/model.ts';
import { lineDiff } from './diff.ts';
import type { DriftReport, Finding } from './types.ts';

export interface ClickHouseTypesDriftOptions {
  target: Target;
  projectRoot: string;
  /** The ClickHouse migrations folder (named in the headers). */
  dir: string;
  tsDir: string;
  go: { dir: string; packageName: string } | undefined;
}

/**
 * The generated ClickHouse types against what the types step would write for the live schema:
 * a file whose header names the live schema but whose text differs was edited by hand; one
 * naming another schema (or missing) is older than the catalog. Throws only for the database
 * (runDriftChecks makes that an `unchecked` entry).
 */
export async function checkClickHouseTypes(options: ClickHouseTypesDriftOptions): Promise<DriftReport> {
  const { target, projectRoot } = options;
  if (!target.describeTables) return { findings: [], unchecked: [] };
  const tables = await target.describeTables();
  const go = options.go ? { ...options.go, modules: await goModulesFor(options.go.dir, projectRoot) } : undefined;
  const source = path.relative(projectRoot, options.dir) || '.';
  const expected = clickhouseTypeFiles(tables, { tsDir: options.tsDir, go, source });
  const files = await Promise.all(
    expected.files.map(async (file) => ({
      file: path.relative(projectRoot, file.path),
      expected: file.text,
      actual: await readFile(file.path, 'utf8').catch(() => undefined),
    })),
  );
  return { findings: clickhouseTypesFindings(files, schemaHash(tables)), unchecked: [] };
}

/**
 * Findings for generated files that differ from what would be generated now. Pure. None at all
 * when no file exists: the types were never generated in this project (only `up` ran, say), and
 * nothing can have drifted from them.
 */
export function clickhouseTypesFindings(files: Array<{ file: string; expected: string; actual: string | undefined }>, schema: string): Finding[] {
  const findings: Finding[] = [];
  if (files.every((file) => file.actual === undefined)) return findings;
  const hint = 'run `schemasync sync` (or keep `schemasync watch` running) to regenerate it; a type that must change belongs in a ClickHouse migration';
  for (const { file, expected, actual } of files) {
    if (actual === expected) continue;
    if (actual === undefined) {
      findings.push({
        kind: 'clickhouse-types-stale',
        target: ROW_TYPES_SPEC.name,
        key: `clickhouse-types-stale:${file}`,
        file,
        message: `${file} has not been generated from the ClickHouse schema`,
        hint,
      });
      continue;
    }
    const diff = lineDiff(actual, expected, { labels: [file, 'generated from the ClickHouse schema now'] });
    const line = diff?.firstLine;
    const at = line === undefined ? '' : ` (first difference at line ${line})`;
    const edited = headerSchema(actual) === schema;
    findings.push({
      kind: edited ? 'clickhouse-types-edited' : 'clickhouse-types-stale',
      target: ROW_TYPES_SPEC.name,
      key: `clickhouse-types-${edited ? 'edited' : 'stale'}:${file}`,
      file,
      ...(line === undefined ? {} : { line }),
      message: edited
        ? `${file} was edited by hand${at}: it is generated, and the next ClickHouse migration overwrites it`
        : `${file} is older than the ClickHouse schema${at}`,
      hint: edited ? `undo the edit, or ${hint}` : hint,
      ...(diff ? { detail: diff.text } : {}),
    });
  }
  return findings;
}
