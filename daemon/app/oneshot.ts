import type { LoadedConfig } from '../config/load.ts';
import type { Logger } from '../log/types.ts';
import type { EngineContext } from '../engine/index.ts';
import { SchemaLog } from '../pipeline/schema-log.ts';
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
      const targetLogger = logger.child({ target: target.name });
      results.push(
        await fn({
          target,
          dir: opened.dirs.get(target.name)!,
          projectRoot: config.projectRoot,
          env,
          logger: targetLogger,
          allowMissing: config.allowMissing,
          lockTimeoutMs: config.lockTimeoutMs,
          signal: controller.signal,
          // A command's own: says what each migration it applies does to the schema.
          schemaLog: new SchemaLog(target, targetLogger),
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
