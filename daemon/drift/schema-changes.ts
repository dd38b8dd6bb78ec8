/**
 * What one migration did to the schema, in a few short lines for the live log, from the catalog
 * before and after it (the drift code's catalog diff): `+ table gadgets (id bigserial, name text)`,
 * `~ users.nickname text → character varying(40)`, `− index users_email_idx`,
 * `+ enum mood (sad, ok)`. Objects that belong to a created or dropped table (its columns, keys,
 * indexes, owned sequences) are folded into that table's line. Pure.
 */
import type { Catalog, CatalogEntry } from '../targets/target.ts';
import { diffCatalogs } from './catalog-diff.ts';

export interface SchemaChange {
  change: '+' | '-' | '~';
  kind: string;
  name: string;
  /** What the line says after the name: columns of a new table, `text → varchar(40)`. */
  detail?: string;
}

/** The changes from `before` to `after`, tables first, then by kind and name. */
export function schemaChanges(before: Catalog, after: Catalog): SchemaChange[] {
  const differences = diffCatalogs(before, after);
  if (differences.length === 0) return [];
  const index = (catalog: Catalog) => new Map(catalog.map((entry) => [`${entry.kind}\u0000${entry.name}`, entry] as const));
  const beforeByKey = index(before);
  const afterByKey = index(after);
  const created = new Set(differences.filter((d) => d.change === 'extra' && d.kind === 'table').map((d) => d.name));
  const dropped = new Set(differences.filter((d) => d.change === 'missing' && d.kind === 'table').map((d) => d.name));
  const newSequences = ownedSequences(after, created);
  const oldSequences = ownedSequences(before, dropped);
  const changes: SchemaChange[] = [];

  for (const difference of differences) {
    const entry = (difference.change === 'missing' ? beforeByKey : afterByKey).get(`${difference.kind}\u0000${difference.name}`)!;
    const tables = difference.change === 'missing' ? dropped : created;
    const sequences = difference.change === 'missing' ? oldSequences : newSequences;
    if (difference.change !== 'changed' && difference.kind !== 'table' && belongsTo(entry, tables, sequences)) continue;
    if (difference.change === 'extra') changes.push(added(entry, after));
    else if (difference.change === 'missing') changes.push({ change: '-', kind: entry.kind, name: entry.name });
    else changes.push(changed(beforeByKey.get(`${difference.kind}\u0000${difference.name}`)!, entry, difference.field!));
  }
  const rank = (change: SchemaChange) => (change.kind === 'table' ? 0 : 1);
  return merge(changes).sort((a, b) => rank(a) - rank(b));
}

/** One line per change: `+ table gadgets (id bigserial, name text)`. */
export function formatSchemaChange(change: SchemaChange): string {
  const sign = change.change === '-' ? '−' : change.change;
  const label = change.kind === 'column' && change.change === '~' ? '' : `${change.kind.replaceAll('_', ' ')} `;
  return `${sign} ${label}${change.name}${change.detail ? ` ${change.detail}` : ''}`;
}

function added(entry: CatalogEntry, after: Catalog): SchemaChange {
  const change: SchemaChange = { change: '+', kind: entry.kind, name: entry.name };
  if (entry.kind === 'table') {
    const columns = after
      .filter((column) => column.kind === 'column' && tableOf(column.name) === entry.name)
      .sort((a, b) => Number(a.detail.position) - Number(b.detail.position))
      .map((column) => `${column.name.slice(entry.name.length + 1)} ${columnType(column)}`);
    change.detail = `(${columns.join(', ')})`;
  } else if (entry.kind === 'column') {
    change.detail = columnType(entry);
  } else if (entry.kind === 'enum') {
    change.detail = `(${labels(entry).join(', ')})`;
  }
  return change;
}

function changed(before: CatalogEntry, after: CatalogEntry, field: string): SchemaChange {
  const change: SchemaChange = { change: '~', kind: after.kind, name: after.name };
  if (after.kind === 'column' && field === 'type') change.detail = `${String(before.detail.type)} → ${String(after.detail.type)}`;
  else if (after.kind === 'column' && field === 'nullable')
    change.detail = `${before.detail.nullable ? 'nullable' : 'NOT NULL'} → ${after.detail.nullable ? 'nullable' : 'NOT NULL'}`;
  else if (after.kind === 'column' && field === 'default') change.detail = `${defaultText(before.detail.default)} → ${defaultText(after.detail.default)}`;
  else if (after.kind === 'enum') change.detail = `(${labels(before).join(', ')}) → (${labels(after).join(', ')})`;
  else change.detail = `${field} changed`;
  return change;
}

/** Several fields of one object changed: one line, details joined. Column positions say nothing here. */
function merge(changes: SchemaChange[]): SchemaChange[] {
  const merged: SchemaChange[] = [];
  for (const change of changes) {
    if (change.change === '~' && change.detail === 'position changed') continue;
    const previous = merged.at(-1);
    if (previous && change.change === '~' && previous.change === '~' && previous.kind === change.kind && previous.name === change.name) {
      previous.detail = `${previous.detail}, ${change.detail}`;
    } else {
      merged.push({ ...change });
    }
  }
  return merged;
}

/** A column, index, constraint or trigger of one of `tables`, or a sequence one of their columns owns. */
function belongsTo(entry: CatalogEntry, tables: Set<string>, sequences: Set<string>): boolean {
  if (entry.kind === 'sequence') return sequences.has(entry.name);
  if (entry.kind === 'index') return tables.has(qualify(entry.name, String(entry.detail.table)));
  if (['column', 'constraint', 'trigger'].includes(entry.kind)) return tables.has(tableOf(entry.name));
  return false;
}

/** `bigint` with a nextval default reads as `bigserial`, as it was written. */
function columnType(column: CatalogEntry): string {
  const type = String(column.detail.type ?? '');
  const serial = typeof column.detail.default === 'string' && column.detail.default.startsWith('nextval(');
  if (serial && SERIALS[type]) return SERIALS[type];
  return type;
}

const SERIALS: Record<string, string> = { bigint: 'bigserial', integer: 'serial', smallint: 'smallserial' };

/** Sequences named in a nextval default of a column of `tables` (serial columns own them). */
function ownedSequences(catalog: Catalog, tables: Set<string>): Set<string> {
  const names = new Set<string>();
  for (const column of catalog) {
    if (column.kind !== 'column' || !tables.has(tableOf(column.name)) || typeof column.detail.default !== 'string') continue;
    const match = /^nextval\('([^']+)'::regclass\)$/.exec(column.detail.default);
    if (match) names.add(match[1]!.replaceAll('"', '').replace(/^public\./, ''));
  }
  return names;
}

function labels(entry: CatalogEntry): string[] {
  try {
    return (JSON.parse(String(entry.detail.labels)) as unknown[]).map(String);
  } catch {
    return [];
  }
}

function defaultText(value: string | number | boolean | null | undefined): string {
  return value === null || value === undefined || value === '' ? 'no default' : `default ${String(value)}`;
}

/** An index's table in the index's schema: `audit.idx` on `users` → `audit.users`. */
function qualify(indexName: string, table: string): string {
  const dot = indexName.lastIndexOf('.');
  return dot === -1 ? table : `${indexName.slice(0, dot)}.${table}`;
}

function tableOf(name: string): string {
  return name.slice(0, name.lastIndexOf('.'));
}
