import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import type { RunReport } from '../pipeline/report.ts';
import { judgePrismaModule, MAKES_CLIENT, rewriteGuideSingleton, type PrismaModuleVerdict } from './next-prisma.ts';
import type { SummaryRow } from './summary.ts';

/**
 * A Next.js app beside the daemon: whether it is one, where it makes its PrismaClient, and
 * whether that module lets the running `next dev` follow each `prisma generate`.
 */

const SKIPPED = new Set(['node_modules', '.git', '.schemasync', '.next', 'dist', 'build', 'out', 'generated', 'public', 'migrations']);
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const MAX_BYTES = 256 * 1024;

/** Whether package.json lists next (dependencies or devDependencies). */
export function isNextApp(projectRoot: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    return Boolean(manifest.dependencies?.next ?? manifest.devDependencies?.next);
  } catch {
    return false;
  }
}

/**
 * The app's source files (at most three folders down, generated code and build output left out)
 * that make a PrismaClient: usually one, `lib/prisma.ts`. Relative to the root, sorted.
 */
export function findPrismaModules(projectRoot: string, depth = 3): string[] {
  const found: string[] = [];
  const visit = (dir: string, level: number) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith('.') || SKIPPED.has(name)) continue;
      const full = path.join(dir, name);
      const stat = statSync(full, { throwIfNoEntry: false });
      if (stat?.isDirectory()) {
        if (level < depth) visit(full, level + 1);
      } else if (stat?.isFile() && SOURCE.test(name) && !name.endsWith('.d.ts') && stat.size <= MAX_BYTES) {
        const text = readFileSync(full, 'utf8');
        if (MAKES_CLIENT.test(text)) found.push(path.relative(projectRoot, full));
      }
    }
  };
  visit(projectRoot, 0);
  return found;
}

export interface AppPrismaModule {
  file: string;
  verdict: NonNullable<PrismaModuleVerdict>;
}

/** Each PrismaClient module of a Next.js app with its verdict; [] for any other project. */
export function judgeApp(projectRoot: string): AppPrismaModule[] {
  if (!isNextApp(projectRoot)) return [];
  const judged: AppPrismaModule[] = [];
  for (const file of findPrismaModules(projectRoot)) {
    const full = path.join(projectRoot, file);
    if (!existsSync(full)) continue;
    const verdict = judgePrismaModule(readFileSync(full, 'utf8'));
    if (verdict) judged.push({ file, verdict });
  }
  return judged;
}

/** The helper texts appended by the rewrite, shipped as files in the package. */
export function prismaHelpers(): { follow: string; currentClass: string } {
  const read = (name: string) => readFileSync(new URL(`../../templates/next-prisma/${name}`, import.meta.url), 'utf8');
  return { follow: read('follow-generate.ts.tmpl'), currentClass: read('current-class.ts.tmpl') };
}

/** The rewrite `init` offers for one module, or undefined when it follows already or has another shape. */
export function proposedRewrite(projectRoot: string, file: string): { before: string; after: string } | undefined {
  const before = readFileSync(path.join(projectRoot, file), 'utf8');
  const after = rewriteGuideSingleton(before, prismaHelpers());
  return after === undefined ? undefined : { before, after };
}

/** The one line that says the running app cannot follow, with the fix; undefined when it can. */
export function appWillNotFollow(modules: AppPrismaModule[]): string | undefined {
  const stale = modules.filter((m) => !m.verdict.follows);
  if (stale.length === 0) return undefined;
  const first = stale[0]!;
  const verdict = first.verdict as Extract<PrismaModuleVerdict, { follows: false }>;
  const fix = verdict.rewritable
    ? `\`npx schemasync init\` rewrites ${first.file} to follow each generate (it shows the change first)`
    : `see "Next to next dev" in schemasync's README for the change to ${first.file}`;
  return `${first.file}: ${verdict.why}; restart next dev to see a new client, or ${fix}`;
}

/** What the daemon says about a Next.js app beside it: a start-up row, and a note on each run that generated. */
export interface NextAppWatch {
  row: SummaryRow;
  /** The report to log: a generated client the app cannot pick up is said on the run's line. */
  annotate(report: RunReport): RunReport;
}

/** For a Next.js app with a PrismaClient module; undefined for any other project. */
export function watchNextApp(projectRoot: string): NextAppWatch | undefined {
  const modules = judgeApp(projectRoot);
  if (modules.length === 0) return undefined;
  const stale = appWillNotFollow(modules);
  const row: SummaryRow = stale
    ? { name: 'next', on: false, detail: stale }
    : { name: 'next', on: true, detail: modules.map((m) => `${m.file} follows each generate`).join(', ') };
  const files = modules.map((m) => m.file);
  return {
    row,
    annotate(report) {
      const generated = report.steps.some((step) => step.name === 'prisma' && step.status === 'ok' && step.detail?.includes('generated'));
      if (!generated) return report;
      // Read again: `schemasync init` may have rewritten the module since start-up.
      const now = files.flatMap((file) => {
        const full = path.join(projectRoot, file);
        const verdict = existsSync(full) ? judgePrismaModule(readFileSync(full, 'utf8')) : undefined;
        return verdict ? [{ file, verdict }] : [];
      });
      if (!appWillNotFollow(now)) return report;
      return {
        ...report,
        steps: report.steps.map((step) =>
          step.name === 'prisma' ? { ...step, detail: `${step.detail}; the running next dev keeps the old client until restarted` } : step,
        ),
      };
    },
  };
}
