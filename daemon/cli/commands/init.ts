import { createInterface } from 'node:readline/promises';

import { initProject, nextStep } from '../../app/init.ts';
import { initProposals } from '../../app/init-next.ts';
import type { AppContext } from '../../app/context.ts';
import { EXIT } from '../exit.ts';

/**
 * `schemasync init`: prints what it did, one line each. Its own files (config, npm scripts,
 * .gitignore) it writes at once; changes to the project's code and dependencies it shows first (a
 * diff, a command) and makes with `--yes`, or after a "y" on a terminal. Without a terminal and
 * without `--yes` it only shows them: a script never has its source rewritten unasked.
 */
export async function initCommand(ctx: AppContext, options: Record<string, unknown> = {}): Promise<number> {
  const root = ctx.config.projectRoot;
  for (const line of initProject(ctx)) ctx.stdout.write(`${line}\n`);
  const { proposals, notes } = await initProposals(root);
  for (const note of notes) ctx.stdout.write(`${note}\n`);
  if (proposals.length > 0) {
    ctx.stdout.write(`\nproposed change${proposals.length > 1 ? 's' : ''}:\n`);
    proposals.forEach((proposal, index) => ctx.stdout.write(`\n${index + 1}. ${proposal.title}\n${proposal.show}\n`));
    const yes = options.yes === true || (await confirm(ctx, `\nmake ${proposals.length > 1 ? 'these changes' : 'this change'}? [Y/n] `));
    if (yes) {
      for (const proposal of proposals) ctx.stdout.write(`${await proposal.apply()}\n`);
    } else {
      ctx.stdout.write(`\nnot made: run \`npx schemasync init --yes\` to make ${proposals.length > 1 ? 'them' : 'it'}\n`);
    }
  }
  ctx.stdout.write(`next: ${nextStep(root)}\n`);
  return EXIT.ok;
}

/** A "y" (or Enter) on a terminal; false when stdin is not one (a script, CI). */
async function confirm(ctx: AppContext, question: string): Promise<boolean> {
  if (!process.stdin.isTTY || ctx.stdout !== process.stdout) return false;
  const reader = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = (await reader.question(question)).trim().toLowerCase();
    return answer === '' || answer === 'y' || answer === 'yes';
  } finally {
    reader.close();
  }
}
