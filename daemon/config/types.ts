import type { TargetName, UrlOption } from './targets.ts';

/** The targets are registered in config/targets.ts. */
export { TARGET_NAMES, type TargetName } from './targets.ts';

/** One target's settings (config/targets.ts registers the targets). */
export interface TargetSettings {
  /** Undefined: the target's embedded server (PostgreSQL's, under `.schemasync/`), or the target is off. */
  url: string | undefined;
  dir: string;
  table: string;
}

/** Everything schemasync needs to know, validated once (config/load.ts). Paths are absolute. */
export interface Config {
  projectRoot: string;
  postgres: TargetSettings;
  clickhouse: TargetSettings & {
    /** Cluster mode (replicated bookkeeping, quorum writes): the cluster's name; undefined: one server. */
    cluster: string | undefined;
  };
  /** The ClickHouse types step's outputs. */
  clickhouseTypes: {
    /** TypeScript row types. */
    dir: string;
    /** Go structs for clickhouse-go; undefined: none. */
    go: { dir: string; packageName: string } | undefined;
  };
  /** Targets chosen with --target (default: all configured). */
  targets: TargetName[];
  /** The target `create` and `--dir` mean without `--target`: the one GOOSE_DRIVER names (goose writes to its folder), else PostgreSQL. */
  defaultTarget: TargetName;
  allowMissing: boolean;
  prisma: {
    /** `prisma/schema.prisma`, or a multi-file schema folder; the Prisma step is off when it does not exist. */
    schema: string;
    /** Prisma's own config file, when the project has one. */
    configFile: string | undefined;
    timeoutMs: number;
  };
  sqlc: {
    /** `sqlc.yaml`; the sqlc step is off when it does not exist. */
    configFile: string;
    /** Explicit binary (SQLC_BIN), else searched on PATH, $GOBIN, $GOPATH/bin, ~/go/bin. */
    binary: string | undefined;
    timeoutMs: number;
  };
  watch: {
    debounceMs: number;
    poll: boolean;
    /** Re-apply the newest applied migration when it is edited. */
    redo: boolean;
    shadow: boolean;
    /** After a git switch, roll back other branches' migrations and apply this one's (--follow-branch). */
    followBranch: boolean;
  };
  /** Port of /healthz and /status; undefined: no server. */
  port: number | undefined;
  /** Address the health server binds: loopback by default; 0.0.0.0 in a container. */
  host: string;
  log: {
    level: string;
    format: 'pretty' | 'json';
  };
  lockTimeoutMs: number;
}

/** Environment variables as the process has them (process.env over `.env`). */
export type Env = Record<string, string | undefined>;

/** Options that can come from the command line; each overrides its environment variable. */
export interface ConfigFlags extends Partial<Record<`${TargetName}Dir` | UrlOption, string>> {
  dir?: string;
  clickhouseCluster?: string;
  target?: string;
  table?: string;
  sqlcConfig?: string;
  prismaSchema?: string;
  allowMissing?: boolean;
  poll?: boolean;
  debounce?: string;
  port?: string;
  host?: string;
  logFormat?: string;
  logLevel?: string;
  redo?: boolean;
  shadow?: boolean;
  followBranch?: boolean;
  toolTimeout?: string;
}

/** Where a setting came from, for the start-up summary and hints: `--flag`, a variable, the config file, a discovered file, or `default`. */
export interface Origins extends Record<`${TargetName}Dir` | `${TargetName}Url`, string> {
  sqlcConfig: string;
  prismaSchema: string;
}
