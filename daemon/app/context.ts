import type { LoadedConfig } from '../config/load.ts';
import type { Logger } from '../log/types.ts';

/**
 * What every command and the daemon work with: the validated configuration, the logger, and
 * where a command prints its result (one-shot commands log to stderr, so stdout is theirs).
 */
export interface AppContext extends LoadedConfig {
  logger: Logger;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}
