import type { LoadedConfig } from '../config/load.ts';
import type { Logger } from '../log/types.ts';

/** What every command handler receives: validated configuration, a logger, and where to print results. */
export interface CommandContext extends LoadedConfig {
  logger: Logger;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}
