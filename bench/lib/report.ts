import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { Summary } from './stats.ts';

/** One line of the comparison table. */
export interface Row {
  scenario: string;
  unit: 'ms' | '%' | 'MB' | 'runs';
  baseline?: Summary;
  schemasync?: Summary;
  /** Shown instead of a number when a side has none, or next to it. */
  baselineNote?: string;
  schemasyncNote?: string;
}

export interface Target {
  target: string;
  met: boolean;
  measured: string;
}

export interface BenchReport {
  date: string;
  mode: 'quick' | 'full';
  rounds: number;
  machine: Record<string, string | number>;
  rows: Row[];
  targets: Target[];
  details: Record<string, unknown>;
}

function formatValue(summary: Summary | undefined, unit: Row['unit'], note?: string): string {
  if (!summary) return note ?? 'n/a';
  const fmt = (v: number) =>
    unit === 'ms'
      ? v >= 10_000
        ? `${(v / 1000).toFixed(1)} s`
        : `${Math.round(v)} ms`
      : unit === '%'
        ? `${v.toFixed(2)} %`
        : unit === 'MB'
          ? `${v.toFixed(0)} MB`
          : `${v}`;
  const spread = summary.n > 1 ? ` (${fmt(summary.min)}–${fmt(summary.max)})` : '';
  return `${fmt(summary.median)}${spread}${note ? ` [${note}]` : ''}`;
}

export function ratio(row: Row): string {
  if (!row.baseline || !row.schemasync || row.baseline.median === 0) return '';
  return `${(row.schemasync.median / row.baseline.median).toFixed(2)}×`;
}

/** The table as rows of cells: scenario, baseline median (spread), schemasync median (spread), ratio. */
function cells(report: BenchReport): string[][] {
  return report.rows.map((row) => [
    row.scenario,
    formatValue(row.baseline, row.unit, row.baselineNote),
    formatValue(row.schemasync, row.unit, row.schemasyncNote),
    ratio(row),
  ]);
}

const HEADER = ['scenario', 'baseline: median (min–max)', 'schemasync: median (min–max)', 'ratio'];

export function textTable(report: BenchReport): string {
  const all = [HEADER, ...cells(report)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...cells(report).map(line)].join('\n');
}

export function markdown(report: BenchReport): string {
  const m = report.machine;
  const rows = [HEADER, HEADER.map(() => '---'), ...cells(report)].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const targets = report.targets.map((t) => `- ${t.met ? '✅ met' : '❌ missed'}: ${t.target}: ${t.measured}`).join('\n');
  const machine = Object.entries(m)
    .map(([k, v]) => `${k}: ${v}`)
    .join(' · ');
  return `Run of ${report.date} (${report.mode}, ${report.rounds} rounds per side, alternating baseline/schemasync).\n\nMachine: ${machine}\n\n${rows}\n\nTargets:\n\n${targets}\n`;
}

/** Writes `latest.json` and `latest.md` under `dir`. */
export async function writeReport(dir: string, report: BenchReport): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(path.join(dir, 'latest.md'), markdown(report));
}
