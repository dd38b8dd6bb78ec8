import type { DriftKind, DriftReport, Finding, Unchecked } from './types.ts';

/** Headings, in the order a developer should read them: the database first, then what follows it. */
export const KIND_TITLES: Record<DriftKind, string> = {
  schema: 'Database differs from the migrations',
  'migration-edited': 'Migrations edited after they were applied',
  'migration-orphan': 'Applied from another git branch',
  'migration-file-missing': 'Applied migrations whose file is gone',
  'migration-out-of-order': 'Unapplied migrations older than the newest applied one',
  'migration-pending': 'Pending migrations',
  'migration-order': 'Migration file names out of version order',
  rollback: 'Down sections that do not restore the schema',
  'prisma-unpulled': 'Prisma schema not pulled since the database changed',
  'prisma-schema': 'Prisma schema edited by hand',
  'prisma-client': 'Prisma client out of date',
  'sqlc-query': 'sqlc queries broken by the schema',
  'sqlc-code': 'sqlc generated code out of date',
  'clickhouse-types-edited': 'Generated ClickHouse types edited by hand',
  'clickhouse-types-stale': 'Generated ClickHouse types out of date',
};

const KIND_ORDER = Object.keys(KIND_TITLES) as DriftKind[];

/** Exit status of `schemasync verify`: 0 in sync, 1 drift found, 2 something could not be checked (and no drift was found). */
export function driftExitCode(report: DriftReport): 0 | 1 | 2 {
  if (report.findings.length > 0) return 1;
  return report.unchecked.some((u) => !u.skipped) ? 2 : 0;
}

/** The `verify --json` document. `ok` only when everything was checked and nothing drifts. */
export function driftJson(report: DriftReport): {
  ok: boolean;
  findings: Finding[];
  unchecked: Unchecked[];
} {
  return {
    ok: driftExitCode(report) === 0,
    findings: report.findings,
    unchecked: report.unchecked,
  };
}

/** Where a finding points: `file:line`, `file`, or nothing. */
export function findingLocation(finding: Finding): string | undefined {
  if (!finding.file) return undefined;
  return finding.line !== undefined ? `${finding.file}:${finding.line}` : finding.file;
}

const indent = (text: string, prefix: string) =>
  text
    .split('\n')
    .map((line) => `${prefix}${line}`.trimEnd())
    .join('\n');

/**
 * The readable report of `schemasync verify`: findings grouped by kind, each with its target,
 * location, fix hint and detail (a short diff); then what could not be checked; then a verdict
 * line. Pure, plain text (no colours: it is also read in CI logs).
 */
export function formatDriftReport(report: DriftReport): string {
  const out: string[] = [];
  for (const kind of KIND_ORDER) {
    const findings = report.findings.filter((f) => f.kind === kind);
    if (findings.length === 0) continue;
    out.push(`${KIND_TITLES[kind]} (${findings.length})`);
    for (const finding of findings) {
      const where = findingLocation(finding);
      const prefix = [finding.target, where].filter(Boolean).join(' · ');
      out.push(`  ✖ ${prefix ? `${prefix}: ` : ''}${finding.message}`);
      out.push(`    fix: ${finding.hint}`);
      if (finding.detail) out.push(indent(finding.detail, '      '));
    }
    out.push('');
  }
  for (const [title, items] of [
    ['Could not check', report.unchecked.filter((u) => !u.skipped)],
    ['Skipped', report.unchecked.filter((u) => u.skipped)],
  ] as const) {
    if (items.length === 0) continue;
    out.push(`${title} (${items.length})`);
    for (const item of items) out.push(`  ? ${item.check}: ${item.reason}`);
    out.push('');
  }
  out.push(verdict(report));
  return out.join('\n');
}

function verdict(report: DriftReport): string {
  const n = report.findings.length;
  const unchecked = report.unchecked.filter((u) => !u.skipped).length;
  if (n > 0) return `✖ drift: ${n} finding${n === 1 ? '' : 's'}${unchecked ? `, ${unchecked} check${unchecked === 1 ? '' : 's'} could not run` : ''}`;
  if (unchecked > 0) return `? no drift found, but ${unchecked} check${unchecked === 1 ? '' : 's'} could not run`;
  if (!report.checked) return '✔ in sync: the databases, schema.prisma, the Prisma client and the sqlc code all follow the migrations';
  const what = checkedThings(report.checked);
  if (what.length === 0) return '✔ nothing to check';
  const list = what.length === 1 ? what[0]! : `${what.slice(0, -1).join(', ')} and ${what.at(-1)!}`;
  return `✔ in sync: ${list} ${what.length === 1 && !list.includes(' and ') ? 'follows' : 'all follow'} the migrations`;
}

/** What a verdict may claim, from the checks that ran: only what was checked. */
function checkedThings(checked: string[]): string[] {
  const databases = [
    ...new Set(
      checked.filter((c) => c.startsWith('migrations:') || c.startsWith('shadow:') || c.startsWith('rollback:')).map((c) => c.slice(c.indexOf(':') + 1)),
    ),
  ];
  const things: string[] = [];
  if (databases.length > 0) things.push(`the ${databases.join(' and ')} database${databases.length === 1 ? '' : 's'}`);
  if (checked.includes('prisma')) things.push('schema.prisma', 'the Prisma client');
  if (checked.includes('sqlc')) things.push('the sqlc code');
  return things;
}
