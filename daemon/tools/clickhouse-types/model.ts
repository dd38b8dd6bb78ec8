import { createHash } from 'node:crypto';

/** One column as system.columns describes it. */
export interface ChColumn {
  name: string;
  /** The type as the server prints it: `Nullable(String)`, `DateTime64(3, 'UTC')`. */
  type: string;
  /** '' (none), DEFAULT, MATERIALIZED, ALIAS or EPHEMERAL. */
  defaultKind: string;
}

/** One table or view with its columns in their order. */
export interface ChTable {
  name: string;
  engine: string;
  columns: ChColumn[];
}

/** A column whose type the mapping does not know: typed unknown / any, said once. */
export interface TypeWarning {
  table: string;
  column: string;
  type: string;
  reason: string;
}

/** A generated file: its path relative to its folder, and its text. */
export interface GeneratedFile {
  name: string;
  text: string;
}

/** Short hash of what the files are generated from, written in their headers (so a file names the schema it follows). */
export function schemaHash(tables: ChTable[]): string {
  return createHash('sha256').update(JSON.stringify(tables)).digest('hex').slice(0, 16);
}

/** `error_events` → `ErrorEvents`; Go initialisms (`event_id` → `EventID`) when `initialisms` is set. */
export function pascalCase(name: string, initialisms = false): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const text = words
    .map((word) => {
      if (initialisms && INITIALISMS.has(word.toLowerCase())) return word.toUpperCase();
      return word[0]!.toUpperCase() + word.slice(1);
    })
    .join('');
  if (text === '') return 'X';
  return /^[0-9]/.test(text) ? `X${text}` : text;
}

const INITIALISMS = new Set(['id', 'url', 'uri', 'uuid', 'ip', 'http', 'https', 'json', 'api', 'sql', 'ttl', 'utc', 'os', 'ui', 'cpu', 'html', 'xml', 'ua']);

/** Names made unique in order: a second `ErrorEvents` becomes `ErrorEvents2`. */
export function uniqueNames(names: string[], taken: Set<string> = new Set()): string[] {
  return names.map((name) => {
    let candidate = name;
    for (let n = 2; taken.has(candidate); n++) candidate = `${name}${n}`;
    taken.add(candidate);
    return candidate;
  });
}
