import { lockKey, takeDaemonLock } from '../../app/daemon-lock.ts';
import { watch } from '../../app/daemon.ts';
import type { AppContext } from '../../app/context.ts';
import { EXIT } from '../exit.ts';

/**
 * The daemon; the options were already folded into the configuration, but for --replace. One
 * daemon per project and database: a second one exits 2 naming the first (daemon-lock.ts).
 */
export async function watchCommand(ctx: AppContext, options: Record<string, unknown> = {}): Promise<number> {
  const { config, logger } = ctx;
  const lock = await takeDaemonLock(config.projectRoot, lockKey(config), {
    replace: options.replace === true,
    onReplace: (pid) => logger.info({ event: 'lock:replace', pid }, `--replace: stopping the schemasync watch running as pid ${pid}`),
  });
  if (!lock.ok) {
    logger.error(
      { event: 'lock:held', pid: lock.holder },
      `schemasync watch is already running for this project and database (pid ${lock.holder}): stop it, or start this one with --replace`,
    );
    return EXIT.usage;
  }
  try {
    return await watch(ctx);
  } finally {
    lock.release();
  }
}
