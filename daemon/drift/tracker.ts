import type { Finding } from './types.ts';

/**
 * Which check a finding comes from. A check that did not run in a watch-mode pass keeps its
 * earlier findings (they are not "resolved" just because nobody looked).
 */
export function checkOf(finding: Finding): string {
  if (finding.kind.startsWith('prisma-')) return 'prisma';
  if (finding.kind.startsWith('sqlc-')) return 'sqlc';
  if (finding.kind.startsWith('clickhouse-types-')) return 'clickhouse-types';
  if (finding.kind === 'schema' || finding.kind === 'rollback') return `shadow:${finding.target ?? ''}`;
  return `migrations:${finding.target ?? ''}`;
}

export interface DriftChanges {
  /** Findings not reported before: log each once, as a warning. */
  appeared: Finding[];
  /** Findings reported before that the checks which ran no longer find. */
  resolved: Finding[];
}

/**
 * Remembers the findings watch mode has logged, so each is logged once when it appears and once
 * when it is resolved. Pure state; the drift step does the logging.
 */
export class DriftTracker {
  private readonly known = new Map<string, Finding>();

  /** Folds in one pass: `ran` names the checks that ran (see checkOf), `findings` what they found. */
  update(ran: Iterable<string>, findings: Finding[]): DriftChanges {
    const ranChecks = new Set(ran);
    const current = new Map(findings.map((f) => [f.key, f]));
    const appeared = findings.filter((f) => !this.known.has(f.key));
    const resolved: Finding[] = [];
    for (const [key, finding] of this.known) {
      if (ranChecks.has(checkOf(finding)) && !current.has(key)) {
        resolved.push(finding);
        this.known.delete(key);
      }
    }
    for (const finding of appeared) this.known.set(finding.key, finding);
    return { appeared, resolved };
  }

  /** Every finding currently standing. */
  get findings(): Finding[] {
    return [...this.known.values()];
  }
}
