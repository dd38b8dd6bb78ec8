import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { lineDiff } from '../drift/diff.ts';
import { messageOf } from '../errors.ts';
import { locateBinary, locatePrismaCli } from '../tools/locate.ts';
import { checkWarmSupport } from '../tools/prisma-worker/support.ts';
import { runTool } from '../tools/run.ts';
import { judgeApp, proposedRewrite } from './next-app.ts';

/**
 * What `schemasync init` proposes beyond its own files: changes to the project's code or
 * dependencies, each shown before it is made (a diff, a command) and made only when confirmed
 * (`--yes`, or an answer on a terminal).
 */
export interface InitProposal {
  /** One line: what and why. */
  title: string;
  /** What exactly: a diff, a command line. */
  show: string;
  /** Makes it; resolves with the line saying so (or why it could not). */
  apply(): Promise<string>;
}

/** The changes a project needs for the fast path and for a running `next dev` to follow a save. */
export async function initProposals(projectRoot: string): Promise<{ proposals: InitProposal[]; notes: string[] }> {
  const proposals: InitProposal[] = [];
  const notes: string[] = [];

  const cli = await locatePrismaCli(projectRoot);
  const support = cli ? checkWarmSupport(projectRoot, cli) : undefined;
  if (support && !support.ok && support.args) {
    const [program, ...args] = support.args;
    proposals.push({
      title: `install the packages of the warm Prisma worker (db pull + generate in ~0.2 s instead of 2–4 s through the prisma CLI): ${support.reason}`,
      show: `  ${support.command}`,
      apply: async () => {
        const file = await locateBinary(program, { cwd: projectRoot, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
        if (!file) return `${program} not found on PATH: run \`${support.command}\` yourself`;
        try {
          await runTool({ tool: program, action: 'install', file, args }, { cwd: projectRoot, timeoutMs: 600_000 });
          return `installed ${args.filter((arg) => arg.startsWith('@')).join(', ')}: the Prisma step runs in the warm worker`;
        } catch (error) {
          return `\`${support.command}\` failed (${messageOf(error)}): the Prisma step runs through the CLI until it is installed`;
        }
      },
    });
  } else if (support && !support.ok) {
    notes.push(`Prisma runs through its CLI: ${support.reason}`);
  }

  for (const { file, verdict } of judgeApp(projectRoot)) {
    if (verdict.follows) {
      notes.push(`${file} follows each generate in next dev (${verdict.how})`);
      continue;
    }
    const rewrite = verdict.rewritable ? proposedRewrite(projectRoot, file) : undefined;
    if (!rewrite) {
      notes.push(`${file}: ${verdict.why}; its shape is not the one of Prisma's Next.js guide, so init leaves it: see "Next to next dev" in the README`);
      continue;
    }
    const diff = lineDiff(rewrite.before, rewrite.after, { context: 1, maxLines: 80, labels: [`a/${file}`, `b/${file}`] });
    proposals.push({
      title: `make ${file} follow each generate while next dev runs (${verdict.why}); in production it does what it did`,
      show: diff?.text ?? '',
      apply: () => {
        const full = path.join(projectRoot, file);
        // Whole or not at all: the dev server may be reading it.
        const temp = `${full}.schemasync-${process.pid}`;
        writeFileSync(temp, rewrite.after);
        renameSync(temp, full);
        return Promise.resolve(`rewrote ${file}: the running next dev follows each generate`);
      },
    });
  }
  return { proposals, notes };
}
