/**
 * The keys of `schemasync.config.mjs` (or the `schemasync` key of package.json). Every key has a
 * flag and an environment variable that override it (README, "Configuration"). No URLs here: they
 * hold passwords, and come from the environment or `.env`.
 */
export interface UserConfig {
  /** PostgreSQL migrations folder. Default `migrations/postgres` (or `GOOSE_MIGRATION_DIR`). */
  postgresDir?: string;
  /** ClickHouse migrations folder. Default `migrations/clickhouse`. */
  clickhouseDir?: string;
  /** ClickHouse cluster name (from `remote_servers`): replicated version table, ledger and lock. */
  clickhouseCluster?: string;
  /** Where the ClickHouse row types (TypeScript) are written. Default `generated/clickhouse`. */
  clickhouseTypesDir?: string;
  /** Where the ClickHouse row structs for clickhouse-go are written; unset: no Go. E.g. `server/internal/database/clickhouse`. */
  clickhouseGoDir?: string;
  /** The Go package of those structs. Default: the folder's name. */
  clickhouseGoPackage?: string;
  /** goose's version table. Default `goose_db_version` (or `GOOSE_TABLE`). */
  table?: string;
  /** sqlc config file. Default: `sqlc.yaml`, `sqlc.yml` or `sqlc.json`, as sqlc looks for them. */
  sqlcConfig?: string;
  /** Prisma schema file. Default: where Prisma itself resolves it. */
  prismaSchema?: string;
  /** Quiet time after the last file event before a run starts, in ms. Default 150. */
  debounceMs?: number;
  /** Time limit for one prisma or sqlc invocation, in ms. Default 120000. */
  toolTimeoutMs?: number;
  /** How long to wait for another runner's migration lock, in ms. Default 300000. */
  lockTimeoutMs?: number;
  /** Port of the /healthz server. Default: no health server. */
  port?: number;
  /** Host the /healthz server listens on. Default 127.0.0.1. */
  host?: string;
  /** Poll the file system instead of native events (network and container mounts). */
  poll?: boolean;
  /** Redo the newest migration when it is edited after it was applied. Default true. */
  redo?: boolean;
  /** Roll back the migrations of the branch left behind when HEAD moves. Default false. */
  followBranch?: boolean;
  /** `pretty` (default) or `json` (one object a line). */
  logFormat?: 'pretty' | 'json';
  /** pino level: `debug`, `info` (default), `warn`, `error`. */
  logLevel?: string;
}

/** Types the config file: `export default defineConfig({ postgresDir: 'db/migrations' })`. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}
