/**
 * Migration file names as goose reads and writes them (goose-spec §1 and §6 `create`).
 * Pure; the wording of errors is goose's own (`NumericComponent` in goose's migration.go).
 */
import { FilenameError } from '../errors.ts';
import { goParseInt } from './gostrings.ts';

/** goose v3.27.3's SQL template for `goose create NAME sql`, byte for byte. */
export const SQL_TEMPLATE = `-- +goose Up
SELECT 'up SQL query';

-- +goose Down
SELECT 'down SQL query';
`;

/**
 * True while a file is still a template `create` wrote, whatever its comments: its only
 * statements are goose's placeholders `SELECT 'up SQL query';` and `SELECT 'down SQL query';`
 * (SQL_TEMPLATE, or the ClickHouse cluster template with its commented example). Pure.
 */
export function isUntouchedTemplate(text: string): boolean {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && (!line.startsWith('--') || /^--\s*\+goose\s/.test(line)));
  return lines.join('\n') === "-- +goose Up\nSELECT 'up SQL query';\n-- +goose Down\nSELECT 'down SQL query';";
}

/** True for names goose's `*.sql` glob picks up (the extension is case-sensitive: `x.SQL` is not one). */
export function isSqlMigrationName(name: string): boolean {
  return name.endsWith('.sql');
}

/**
 * Reads `{version, description}` from a migration file name (a base name or a path) exactly as
 * goose does: version = the text before the first `_`, parsed like Go's `strconv.ParseInt`
 * (leading `+` and zeros allowed), at least 1; description = between that `_` and the last `.`.
 *
 * Throws FilenameError with goose's reason. Deviation: versions above Number.MAX_SAFE_INTEGER,
 * which goose accepts up to 2^63-1, are refused because schemasync keeps versions as JS numbers.
 */
export function parseMigrationFilename(name: string): { version: number; description: string } {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  const extension = dot === -1 ? '' : base.slice(dot);
  if (extension !== '.sql' && extension !== '.go') {
    throw new FilenameError(name, 'migration file does not have .sql or .go file extension');
  }
  const separator = base.indexOf('_');
  if (separator === -1) throw new FilenameError(name, "no filename separator '_' found");
  const versionText = base.slice(0, separator);
  const parsed = goParseInt(versionText, 'ParseInt');
  if ('error' in parsed) {
    throw new FilenameError(name, `failed to parse version from migration file: ${base}: ${parsed.error}`);
  }
  if (parsed.value < 1n) throw new FilenameError(name, 'migration version must be greater than zero');
  if (parsed.value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FilenameError(
      name,
      `migration version ${parsed.value} is larger than ${Number.MAX_SAFE_INTEGER}, the largest version schemasync supports`,
    );
  }
  return { version: Number(parsed.value), description: base.slice(separator + 1, dot) };
}

/**
 * The file name `goose create NAME sql` would write: `<version>_<snake(NAME)>.sql`, where the
 * version is `now` in UTC as `YYYYMMDDhhmmss`, or with `sequential` (goose's `-s`) the highest
 * sequential version in `existingVersions` plus one, zero-padded to 5 digits.
 */
export function newMigrationFileName(
  name: string,
  now: Date,
  options: { sequential?: boolean; existingVersions?: number[] } = {},
): string {
  const version = options.sequential ? nextSequentialVersion(options.existingVersions ?? []) : utcTimestamp(now);
  return `${version}_${snakeCase(name)}.sql`;
}

function utcTimestamp(now: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return (
    pad(now.getUTCFullYear(), 4) +
    pad(now.getUTCMonth() + 1) +
    pad(now.getUTCDate()) +
    pad(now.getUTCHours()) +
    pad(now.getUTCMinutes()) +
    pad(now.getUTCSeconds())
  );
}

function nextSequentialVersion(existing: number[]): string {
  const sequential = existing.filter((version) => !isTimestampVersion(version));
  const next = sequential.length === 0 ? 1 : Math.max(...sequential) + 1;
  // Go's %05v: zero-padded to at least 5 digits.
  return String(next).padStart(5, '0');
}

/**
 * goose's `timestamped()` test: the decimal text parses with Go layout `20060102150405` and is
 * after the Unix epoch. Exactly 1970-01-01 00:00:00 is neither timestamped nor sequential in
 * goose; `create -s` counts it as timestamped (it is not "before" the epoch), and so do we.
 */
export function isTimestampVersion(version: number): boolean {
  const text = String(version);
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return false;
  return year >= 1970;
}

/**
 * goose's `snakeCase` (helpers.go): lower-cases letters and digits, turns each run of other
 * characters into one `_`, drops leading ones, keeps CamelCase together (`AddUsers` →
 * `addusers`), and leaves a trailing `_` after exactly one trailing separator (`add-users!` →
 * `add_users_`) but not after two or more.
 */
export function snakeCase(text: string): string {
  let out = '';
  let state: 'idle' | 'firstAlphaNum' | 'alphaNum' | 'delimiter' = 'idle';
  for (const char of text) {
    const alphaNum = /^[\p{L}\p{N}]$/u.test(char);
    switch (state) {
      case 'idle':
        if (alphaNum) state = 'firstAlphaNum';
        break;
      case 'firstAlphaNum':
        state = alphaNum ? 'alphaNum' : 'delimiter';
        break;
      case 'alphaNum':
        if (!alphaNum) state = 'delimiter';
        break;
      case 'delimiter':
        state = alphaNum ? 'firstAlphaNum' : 'idle';
        break;
    }
    if (state === 'firstAlphaNum' || state === 'alphaNum') out += goToLower(char);
    else if (state === 'delimiter') out += '_';
  }
  return state === 'idle' && out.endsWith('_') ? out.slice(0, -1) : out;
}

/** Go's unicode.ToLower maps one rune to one rune; JS may expand (`İ` → `i̇`), keep the first. */
function goToLower(char: string): string {
  return String.fromCodePoint(char.toLowerCase().codePointAt(0)!);
}

