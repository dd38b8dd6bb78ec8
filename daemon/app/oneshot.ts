import type { TargetName } from '../config/targets.ts';
import type { EngineContext } from '../engine/index.ts';
import { SchemaLog } from '../pipeline/schema-log.ts';
import type { AppContext } from './context.ts';
import { handleSignals } from './lifecycle.ts';
import { openTargets } from './targets.ts';

/**
 * Runs `fn` once per configured target (in registration order), with the targets opened and
 * closed around it. SIGINT / SIGTERM (app/lifecycle.ts, as for the daemon: a runner's duplicate
 * is the same stop) abort the signal handed to the engine, which rolls back the migration in
 * flight and says so instead of dying half-way; the command then exits 1.
 */
export async function forEachTarget<R>(ctx: AppContext, fn: (engine: EngineContext) => Promise<R>, names: TargetName[] = ctx.config.targets): Promise<R[]> {
  const { config, env, logger } = ctx;
  const controller = new AbortController();
  const stopSignals = handleSignals(logger, (signal) => Promise.resolve(controller.abort(new Error(signal))));
  try {
    const opened = await openTargets(config, logger, names);
    try {
      const results: R[] = [];
      for (const { target, dir } of opened.opened) {
        const targetLogger = logger.child({ target: target.name });
        results.push(
          await fn({
            target,
            dir,
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
      await opened.close();
    }
  } finally {
    await stopSignals();
  }
}
