import type { LoadedConfig } from '../config/load.ts';
import type { Logger } from '../log/types.ts';
import type { EngineContext } from '../pipeline/migrate.ts';
import type { TargetName } from '../targets/target.ts';
import { openTargets } from './targets.ts';

/**
 * Runs `fn` once per configured target (PostgreSQL first), with the targets opened and closed
 * around it. SIGINT / SIGTERM abort the signal handed to the engine, which rolls back the
 * migration in flight instead of dying half-way.
 */
export async function forEachTarget<R>(
  loaded: LoadedConfig & { logger: Logger },
  fn: (ctx: EngineContext) => Promise<R>,
  names: TargetName[] = loaded.config.targets,
): Promise<R[]> {
  const { config, env, logger } = loaded;
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ event: 'signal', signal }, `${signal} received: stopping after rolling back what is in flight`);
    controller.abort(new Error(signal));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const opened = await openTargets(config, logger, names);
  try {
    const results: R[] = [];
    for (const target of opened.targets) {
      results.push(
        await fn({
          target,
          dir: opened.dirs.get(target.name)!,
          projectRoot: config.projectRoot,
          env,
          logger: logger.child({ target: target.name }),
          allowMissing: config.allowMissing,
          lockTimeoutMs: config.lockTimeoutMs,
          signal: controller.signal,
        }),
      );
      if (controller.signal.aborted) break;
    }
    return results;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await opened.close();
  }
}
