/**
 * Compares two catalogs (targets' `introspect()`) and says each difference as one sentence a
 * developer understands. Pure. The wording is a parameter because the same comparison serves
 * two questions: "does the database match its migrations?" (shadow check) and "does this Down
 * restore the schema from before its Up?" (rollback check).
 */
import type { Catalog, CatalogEntry } from '../targets/target.ts';

export interface CatalogDifference {
  change: 'extra' | 'missing' | 'changed';
  /** The entry's kind and name (`column`, `users.nickname`). */
  kind: string;
  name: string;
  /** For `changed`: the detail field that differs. */
  field?: string;
  message: string;
}

/** How the two sides are named in sentences. `expected` is what the migrations say. */
export interface DiffWording {
  /** `what` is "column users.nickname text": only in the actual catalog. */
  extra: (what: string) => string;
  /** Only in the expected catalog. */
  missing: (what: string) => string;
  /** "in the migrations" / "in the database". */
  expectedSide: string;
  actualSide: string;
}

/** Shadow database (expected) against the live database (actual). */
export const SCHEMA_WORDING: DiffWording = {
  extra: (what) => `${what} exists in the database, but no migration creates it`,
  missing: (what) => `${what} is missing from the database`,
  expectedSide: 'in the migrations',
  actualSide: 'in the database',
};

/** The schema before a migration's Up (expected) against the schema after its Down (actual). */
export const ROLLBACK_WORDING: DiffWording = {
  extra: (what) => `${what} is still there after the Down`,
  missing: (what) => `${what} existed before the Up but is gone after the Down`,
  expectedSide: 'before the Up',
  actualSide: 'after the Down',
};

/** Details too long to print inline are summarised ("differs") with both versions cut short. */
const INLINE_LIMIT = 60;

/**
 * Every difference between `expected` and `actual`, ordered by kind then name. Column positions
 * are compared only for tables whose column set is the same on both sides: after a column is
 * added or dropped the positions of the others say nothing new.
 */
export function diffCatalogs(expected: Catalog, actual: Catalog, wording: DiffWording = SCHEMA_WORDING): CatalogDifference[] {
  const key = (entry: CatalogEntry) => `${entry.kind}\u0000${entry.name}`;
  const expectedByKey = new Map(expected.map((entry) => [key(entry), entry] as const));
  const actualByKey = new Map(actual.map((entry) => [key(entry), entry] as const));
  const differences: CatalogDifference[] = [];
  const tablesWithColumnChanges = new Set<string>();

  for (const entry of actual) {
    if (expectedByKey.has(key(entry))) continue;
    differences.push({ change: 'extra', kind: entry.kind, name: entry.name, message: wording.extra(describe(entry)) });
    if (entry.kind === 'column') tablesWithColumnChanges.add(tableOf(entry.name));
  }
  for (const entry of expected) {
    if (actualByKey.has(key(entry))) continue;
    differences.push({ change: 'missing', kind: entry.kind, name: entry.name, message: wording.missing(describe(entry)) });
    if (entry.kind === 'column') tablesWithColumnChanges.add(tableOf(entry.name));
  }
  for (const entry of expected) {
    const other = actualByKey.get(key(entry));
    if (!other || sameDetail(entry.detail, other.detail)) continue;
    const fields = [...new Set([...Object.keys(entry.detail), ...Object.keys(other.detail)])].sort();
    for (const field of fields) {
      const before = entry.detail[field] ?? null;
      const after = other.detail[field] ?? null;
      if (before === after) continue;
      if (entry.kind === 'column' && field === 'position' && tablesWithColumnChanges.has(tableOf(entry.name))) continue;
      differences.push({ change: 'changed', kind: entry.kind, name: entry.name, field, message: describeChange(entry, field, before, after, wording) });
    }
  }
  return differences.sort((a, b) => compare(a.kind, b.kind) || compare(a.name, b.name) || compare(a.field ?? '', b.field ?? ''));
}

/** "column users.nickname text", "table users", "index users_email_idx". */
export function describe(entry: CatalogEntry): string {
  const label = entry.kind.replaceAll('_', ' ');
  if (entry.kind === 'column' && typeof entry.detail.type === 'string' && entry.detail.type !== '') return `${label} ${entry.name} ${entry.detail.type}`;
  return `${label} ${entry.name}`;
}

type Value = string | number | boolean | null;

function describeChange(entry: CatalogEntry, field: string, expected: Value, actual: Value, wording: DiffWording): string {
  const subject = `${entry.kind.replaceAll('_', ' ')} ${entry.name}`;
  const sides = (a: string, b: string) => `${a} ${wording.expectedSide} but ${b} ${wording.actualSide}`;
  if (entry.kind === 'column') {
    switch (field) {
      case 'type':
        return `${subject} is ${sides(String(expected), String(actual))}`;
      case 'nullable':
        return `${subject} is ${sides(expected ? 'nullable' : 'NOT NULL', actual ? 'nullable' : 'NOT NULL')}`;
      case 'default':
      case 'default_expression':
        return `${subject} has ${sides(defaultText(expected), defaultText(actual))}`;
      case 'position':
        return `${subject} is at position ${expected} ${wording.expectedSide} but at ${actual} ${wording.actualSide}`;
    }
  }
  const shown = (value: Value) => (value === null || value === '' ? '(none)' : String(value));
  const a = shown(expected);
  const b = shown(actual);
  if (a.length <= INLINE_LIMIT && b.length <= INLINE_LIMIT) return `${subject} has ${field} ${sides(a, b)}`;
  return `the ${field} of ${subject} differs: ${wording.expectedSide} "${cut(a)}", ${wording.actualSide} "${cut(b)}"`;
}

function defaultText(value: Value): string {
  return value === null || value === '' ? 'no default' : `default ${String(value)}`;
}

function cut(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}

/** Equal details, the common case, without building and sorting the union of their keys. */
function sameDetail(a: CatalogEntry['detail'], b: CatalogEntry['detail']): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((field) => (a[field] ?? null) === (b[field] ?? null));
}

/** `users.nickname` → `users`; `audit.users.nickname` → `audit.users`. */
function tableOf(columnName: string): string {
  return columnName.slice(0, columnName.lastIndexOf('.'));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
