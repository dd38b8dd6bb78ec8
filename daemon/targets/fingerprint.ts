import { createHash } from 'node:crypto';

import type { Catalog, CatalogEntry } from './target.ts';

/**
 * A stable hash of a schema: sha256 (hex) of a canonical JSON of the catalog, with entries sorted
 * by kind then name and detail keys sorted, so the result depends on the schema only, never on
 * the order the server returned rows in. Two databases with equal fingerprints have equal
 * catalogs. Shared by every target.
 */
export function fingerprintCatalog(catalog: Catalog): string {
  return createHash('sha256').update(canonicalCatalogJson(catalog)).digest('hex');
}

/** The canonical text that `fingerprintCatalog` hashes (exported for debugging a mismatch). */
export function canonicalCatalogJson(catalog: Catalog): string {
  const entries = [...catalog].sort(compareEntries).map((entry) => ({
    kind: entry.kind,
    name: entry.name,
    detail: Object.fromEntries(
      Object.keys(entry.detail)
        .sort()
        .map((key) => [key, entry.detail[key] ?? null]),
    ),
  }));
  return JSON.stringify(entries);
}

/** Orders entries by kind, then name, by code unit (not locale), so every machine agrees. */
export function compareEntries(a: CatalogEntry, b: CatalogEntry): number {
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return 0;
}
