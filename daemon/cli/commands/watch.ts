import { watch } from '../../app/daemon.ts';
import type { CommandContext } from '../context.ts';

/** The daemon; the options were already folded into the configuration. */
export async function watchCommand(ctx: CommandContext): Promise<number> {
  return watch(ctx);
}
