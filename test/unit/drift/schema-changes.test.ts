import { describe, expect, it } from 'vitest';

import { formatSchemaChange, schemaChanges } from '../../../daemon/drift/schema-changes.ts';
import type { Catalog, CatalogEntry } from '../../../daemon/targets/target.ts';

const table = (name: string): CatalogEntry => ({ kind: 'table', name, detail: { partitioned: false } });
const column = (name: string, type: string, position: number, extra: Record<string, string | boolean | null> = {}): CatalogEntry => ({
  kind: 'column',
  name,
  detail: { type, nullable: true, default: null, identity: null, generated: null, position, ...extra },
});
const users: Catalog = [table('users'), column('users.id', 'integer', 1), column('users.nickname', 'text', 2)];
const lines = (before: Catalog, after: Catalog) => schemaChanges(before, after).map(formatSchemaChange);

describe('schemaChanges: what a migration did, in a few lines', () => {
  it('a new table is one line with its columns; its key, index and owned sequence fold into it', () => {
    const after: Catalog = [
      ...users,
      table('gadgets'),
      column('gadgets.id', 'bigint', 1, { nullable: false, default: "nextval('gadgets_id_seq'::regclass)" }),
      column('gadgets.name', 'text', 2),
      { kind: 'constraint', name: 'gadgets.gadgets_pkey', detail: { type: 'primary key', definition: 'PRIMARY KEY (id)' } },
      { kind: 'index', name: 'gadgets_pkey', detail: { table: 'gadgets', definition: 'CREATE UNIQUE INDEX …' } },
      { kind: 'sequence', name: 'gadgets_id_seq', detail: { type: 'bigint' } },
    ];
    expect(lines(users, after)).toEqual(['+ table gadgets (id bigserial, name text)']);
  });

  it('columns added, retyped and dropped; indexes and enums', () => {
    const after: Catalog = [
      table('users'),
      column('users.id', 'integer', 1),
      column('users.nickname', 'character varying(40)', 2),
      column('users.mood', 'mood', 3),
      { kind: 'enum', name: 'mood', detail: { labels: '["sad","ok"]' } },
    ];
    const before: Catalog = [...users, { kind: 'index', name: 'users_email_idx', detail: { table: 'users', definition: 'CREATE INDEX …' } }];
    expect(lines(before, after)).toEqual([
      '+ column users.mood mood',
      '~ users.nickname text → character varying(40)',
      '+ enum mood (sad, ok)',
      '− index users_email_idx',
    ]);
  });

  it('a dropped table is one line; a migration that changes no schema object says nothing', () => {
    expect(lines(users, [])).toEqual(['− table users']);
    expect(lines(users, users)).toEqual([]);
  });
});
