import { postgresDsnToUrl } from './discover.ts';

/**
 * Every database schemasync migrates, as data: the configuration, the CLI, discovery, `create`,
 * the start-up summary and the failure messages loop over this list instead of naming targets.
 * How a target is opened (its driver, an embedded server, its `create` template) is the other
 * half of its registration, in app/targets.ts; its code is its folder under targets/.
 */
export interface TargetSpec {
  /** Stable name used in flags, logs and `status --json`; its folder flag is `--<name>-dir`, its config key `<name>Dir`. */
  readonly name: string;
  /** How people call it, in messages. */
  readonly label: string;
  /** goose's driver names (GOOSE_DRIVER) that mean this target (goose -h lists them). */
  readonly gooseDrivers: readonly string[];
  /** Its migrations folder when nothing names one. */
  readonly defaultDir: string;
  /** The flag and the variable of its URL, and an example of one. */
  readonly urlFlag: string;
  /** The flag's name as commander hands it over (`--database-url` → `databaseUrl`). */
  readonly urlOption: string;
  readonly urlEnv: string;
  readonly urlExample: string;
  /** Without a URL: an embedded server of schemasync's own (on), or the target is off. */
  readonly embedded: boolean;
  /** Runs each migration file in a transaction (unless the file says NO TRANSACTION). */
  readonly transactional: boolean;
  /** Its catalog feeds the type generators (Prisma, sqlc): exactly one target does. */
  readonly feedsTypes: boolean;
  /** Its catalog feeds the row-types step (TypeScript, and Go for clickhouse-go): one target's does. */
  readonly rowTypes: boolean;
  /** Its databases are namespaces of one server: a session can name any of them (`app.events`), a shadow run included. */
  readonly databasesAreNamespaces: boolean;
  /** GOOSE_DBSTRING (given with this target's driver) as the URL schemasync opens, or why it cannot be. */
  gooseDbstring(dsn: string): { url: string } | { problem: string };
}

export const TARGETS = [
  {
    name: 'postgres',
    label: 'PostgreSQL',
    gooseDrivers: ['postgres', 'pgx', 'postgresql', 'redshift'],
    defaultDir: 'migrations/postgres',
    urlFlag: '--database-url',
    urlOption: 'databaseUrl',
    urlEnv: 'DATABASE_URL',
    urlExample: 'postgres://user:password@host:5432/db',
    embedded: true,
    transactional: true,
    feedsTypes: true,
    rowTypes: false,
    databasesAreNamespaces: false,
    gooseDbstring(dsn: string) {
      const url = postgresDsnToUrl(dsn);
      return url ? { url } : { problem: 'GOOSE_DBSTRING is neither a postgres:// URL nor a key=value connection string' };
    },
  },
  {
    name: 'clickhouse',
    label: 'ClickHouse',
    gooseDrivers: ['clickhouse'],
    defaultDir: 'migrations/clickhouse',
    urlFlag: '--clickhouse-url',
    urlOption: 'clickhouseUrl',
    urlEnv: 'CLICKHOUSE_URL',
    urlExample: 'http://default@localhost:8123/default',
    embedded: false,
    transactional: false,
    feedsTypes: false,
    rowTypes: true,
    databasesAreNamespaces: true,
    gooseDbstring(dsn: string) {
      if (/^https?:\/\//i.test(dsn)) return { url: dsn };
      return {
        problem:
          'GOOSE_DBSTRING for clickhouse must be the HTTP interface (http://user:password@host:8123/db): schemasync speaks HTTP, not the native tcp:// protocol',
      };
    },
  },
] as const satisfies readonly TargetSpec[];

export type TargetName = (typeof TARGETS)[number]['name'];
/** The option of each target's URL flag. */
export type UrlOption = (typeof TARGETS)[number]['urlOption'];
export const TARGET_NAMES: TargetName[] = TARGETS.map((spec) => spec.name);

/** The registration of one target. */
export const targetSpec = (name: TargetName): TargetSpec => TARGETS.find((spec) => spec.name === name)!;

/** The target whose catalog feeds Prisma and sqlc. */
export const TYPES_SPEC: TargetSpec & { name: TargetName } = TARGETS.find((spec) => spec.feedsTypes)!;

/** The target whose catalog feeds the row-types step. */
export const ROW_TYPES_SPEC: TargetSpec & { name: TargetName } = TARGETS.find((spec) => spec.rowTypes)!;

/** The target goose means when GOOSE_DRIVER is not set (and `--dir` without `--target`). */
export const DEFAULT_SPEC: TargetSpec & { name: TargetName } = TARGETS[0];

/** Its folder's flag and config key: `--postgres-dir`, `postgresDir`. */
export const dirFlag = (name: TargetName) => `--${name}-dir`;
export const dirKey = <N extends TargetName>(name: N) => `${name}Dir` as const;

/** Which target GOOSE_DRIVER names; undefined when unset, 'unsupported' for a driver of no target. */
export function gooseDriverTarget(driver: string | undefined): TargetName | 'unsupported' | undefined {
  if (driver === undefined || driver === '') return undefined;
  return TARGETS.find((spec) => (spec.gooseDrivers as readonly string[]).includes(driver.toLowerCase()))?.name ?? 'unsupported';
}

/** The notice that a target without a URL (and no embedded server) is off. */
export const offNotice = (spec: TargetSpec) => `${spec.label} target is off: ${spec.urlEnv} is not set`;
