/**
 * The keys of `schemasync.config.mjs` (or the `schemasync` key of package.json). Every key has a
 * flag and an environment variable that override it (README, "Configuration"). No URLs here: they
 * hold passwords, and come from the environment or `.env`.
 */
export interface UserConfig {
  postgresDir?: string;
  clickhouseDir?: string;
  table?: string;
  sqlcConfig?: string;
  prismaSchema?: string;
  debounceMs?: number;
  toolTimeoutMs?: number;
  lockTimeoutMs?: number;
  port?: number;
  host?: string;
  poll?: boolean;
  redo?: boolean;
  logFormat?: 'pretty' | 'json';
  logLevel?: string;
}

/** Types the config file: `export default defineConfig({ postgresDir: 'db/migrations' })`. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}
