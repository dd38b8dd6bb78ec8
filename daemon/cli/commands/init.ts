import { initProject } from '../../app/init.ts';
import type { CommandContext } from '../context.ts';
import { EXIT } from '../exit.ts';

/** `schemasync init`: prints what it did, one line each. */
export async function initCommand(ctx: CommandContext): Promise<number> {
  for (const line of initProject(ctx)) ctx.stdout.write(`${line}\n`);
  ctx.stdout.write('next: npm run db:watch (or npx schemasync watch)\n');
  return Promise.resolve(EXIT.ok);
}
