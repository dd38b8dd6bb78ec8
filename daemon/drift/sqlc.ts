import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { hasErrorCode, messageOf } from '../errors.ts';
import { firstMeaningfulLine } from '../tools/output.ts';
import { runTool, type ToolCommand } from '../tools/run.ts';
import { parseSqlcErrors, sqlcCompile, sqlcDiff, sqlcVet, type SqlcContext, type SqlcError } from '../tools/sqlc.ts';
import type { DriftReport, Finding } from './types.ts';

export interface SqlcDriftOptions {
  context: SqlcContext;
  projectRoot: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * sqlc drift: queries that no longer compile against the migrations (`sqlc compile`, and
 * `sqlc vet` when sqlc.yaml has lint rules), then generated code that differs from what
 * `sqlc generate` would write (`sqlc diff`). The diff is only asked for when the queries compile:
 * otherwise sqlc cannot produce one. Tool failures become `unchecked`, never a throw.
 */
export async function checkSqlc(options: SqlcDriftOptions): Promise<DriftReport> {
  const report: DriftReport = { findings: [], unchecked: [] };
  const configDir = path.dirname(options.context.configFile);
  const run = (command: ToolCommand) =>
    runTool(command, {
      cwd: configDir,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      acceptExitCodes: [1],
    });
  const located = (errors: SqlcError[], action: string) =>
    sqlcQueryFindings(errors, {
      projectRoot: options.projectRoot,
      configDir,
      action,
    });

  try {
    const actions = [sqlcCompile(options.context)];
    const config = await readFile(options.context.configFile, 'utf8');
    // vet without rules only repeats compile; with rules it reports the team's lint findings too.
    if (/^rules\s*:/m.test(config)) actions.push(sqlcVet(options.context));
    for (const command of actions) {
      const result = await run(command);
      if (result.exitCode === 0) continue;
      const output = `${result.stdout}\n${result.stderr}`;
      const findings = located(parseSqlcErrors(output), command.action ?? 'compile');
      if (findings.length === 0) {
        report.unchecked.push({
          check: 'sqlc',
          reason: `sqlc ${command.action} failed: ${firstMeaningfulLine(result.stdout, result.stderr) || 'no output'}`,
        });
      }
      report.findings.push(...findings);
      return report;
    }
    const diff = await run(sqlcDiff(options.context));
    if (diff.exitCode !== 0) {
      const finding = sqlcCodeFinding(`${diff.stdout}\n${diff.stderr}`, {
        projectRoot: options.projectRoot,
        configDir,
      });
      if (finding) report.findings.push(finding);
      else
        report.unchecked.push({
          check: 'sqlc-code',
          reason: `sqlc diff failed: ${firstMeaningfulLine(diff.stdout, diff.stderr) || 'no output'}`,
        });
    }
  } catch (error) {
    if (hasErrorCode(error, 'CANCELLED')) throw error;
    report.unchecked.push({ check: 'sqlc', reason: messageOf(error) });
  }
  return report;
}

interface Where {
  projectRoot: string;
  /** sqlc names files relative to the folder of sqlc.yaml. */
  configDir: string;
}

const relativeToProject = (file: string, where: Where) => path.relative(where.projectRoot, path.resolve(where.configDir, file));

/** One finding per located sqlc error: the query file (project-relative) and line. Pure. */
export function sqlcQueryFindings(errors: SqlcError[], where: Where & { action: string }): Finding[] {
  return errors.map((error) => {
    const file = relativeToProject(error.file, where);
    const at = `${file}:${error.line}${error.column ? `:${error.column}` : ''}`;
    return {
      kind: 'sqlc-query',
      key: `sqlc-query:${at}:${error.message}`,
      message: `the query at ${at} no longer compiles against the migrations (sqlc ${where.action}): ${error.message}`,
      hint: 'change the query to match the schema, or write a migration that brings back what it reads (sqlc reads the schema from the migration files)',
      file,
      line: error.line,
    };
  });
}

/**
 * The finding for `sqlc diff` output (a unified diff per generated file), or undefined when the
 * output holds no diff (sqlc failed for another reason). Pure.
 */
export function sqlcCodeFinding(output: string, where: Where, maxLines = 20): Finding | undefined {
  const lines = output.split('\n');
  const files = lines.flatMap((line) => {
    const match = /^\+\+\+ b\/(.+)$/.exec(line);
    return match ? [relativeToProject(match[1]!.trim(), where)] : [];
  });
  if (files.length === 0) return undefined;
  const start = lines.findIndex((line) => line.startsWith('--- a/'));
  const line = firstChangedLine(lines);
  const body = lines.slice(start).filter((line, index, all) => index < all.length - 1 || line !== '');
  const detail = body.length > maxLines ? [...body.slice(0, maxLines), `… (${body.length - maxLines} more lines)`] : body;
  const names = files.map((f) => path.basename(f));
  return {
    kind: 'sqlc-code',
    key: `sqlc-code:${files.join(',')}`,
    message: `the generated Go code differs from what \`sqlc generate\` would write: ${files.length === 1 ? `${names[0]} is` : `${files.length} files are (${names.join(', ')})`} out of date or edited by hand`,
    hint: 'run `sqlc generate` (or `schemasync sync`); do not edit generated files, change the queries or migrations instead',
    file: files[0]!,
    ...(line !== undefined ? { line } : {}),
    detail: detail.join('\n'),
  };
}

/** The old-file line number of the first added or removed line of the first hunk. */
function firstChangedLine(lines: string[]): number | undefined {
  const header = lines.findIndex((line) => line.startsWith('@@ -'));
  if (header === -1) return undefined;
  let line = Number(/^@@ -(\d+)/.exec(lines[header]!)?.[1]);
  for (const next of lines.slice(header + 1)) {
    if (!next.startsWith(' ')) break;
    line++;
  }
  return line;
}
