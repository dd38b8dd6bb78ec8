import { describe, expect, it } from 'vitest';

import { diffCatalogs, ROLLBACK_WORDING } from '../../../daemon/drift/catalog-diff.ts';
import type { CatalogEntry } from '../../../daemon/targets/target.ts';

const column = (name: string, type: string, extra: Partial<CatalogEntry['detail']> = {}): CatalogEntry => ({
  kind: 'column',
  name,
  detail: { type, nullable: true, default: null, identity: null, generated: null, position: 1, ...extra },
});
const table = (name: string): CatalogEntry => ({ kind: 'table', name, detail: { partitioned: false } });
const index = (name: string, definition: string): CatalogEntry => ({ kind: 'index', name, detail: { table: 'users', definition } });

describe('diffCatalogs', () => {
  it.each([
    {
      name: 'a column added by hand',
      expected: [table('users'), column('users.id', 'integer')],
      actual: [table('users'), column('users.id', 'integer'), column('users.nickname', 'text', { position: 2 })],
      messages: ['column users.nickname text exists in the database, but no migration creates it'],
    },
    {
      name: 'a type changed by hand',
      expected: [column('users.email', 'character varying(320)')],
      actual: [column('users.email', 'text')],
      messages: ['column users.email is character varying(320) in the migrations but text in the database'],
    },
    {
      name: 'nullability and default',
      expected: [column('users.email', 'text', { nullable: false, default: "''::text" })],
      actual: [column('users.email', 'text')],
      messages: [
        "column users.email has default ''::text in the migrations but no default in the database",
        'column users.email is NOT NULL in the migrations but nullable in the database',
      ],
    },
    {
      name: 'an index dropped by hand',
      expected: [index('users_email_idx', 'CREATE INDEX users_email_idx ON public.users USING btree (email)')],
      actual: [],
      messages: ['index users_email_idx is missing from the database'],
    },
    {
      name: 'a dropped column does not also report the positions of the others',
      expected: [column('users.a', 'text', { position: 1 }), column('users.b', 'text', { position: 2 })],
      actual: [column('users.b', 'text', { position: 1 })],
      messages: ['column users.a text is missing from the database'],
    },
    {
      name: 'a long definition is summarised',
      expected: [index('users_email_idx', 'CREATE INDEX users_email_idx ON public.users USING btree (email)')],
      actual: [index('users_email_idx', 'CREATE UNIQUE INDEX users_email_idx ON public.users USING btree (email)')],
      messages: [
        'the definition of index users_email_idx differs: in the migrations "CREATE INDEX users_email_idx ON public.users USING btree (email)", in the database "CREATE UNIQUE INDEX users_email_idx ON public.users USING btree (email)"',
      ],
    },
    {
      name: 'a ClickHouse materialized view and engine',
      expected: [{ kind: 'table', name: 'events', detail: { engine: 'MergeTree', sorting_key: 'ts' } }],
      actual: [
        { kind: 'table', name: 'events', detail: { engine: 'ReplacingMergeTree', sorting_key: 'ts' } },
        { kind: 'materialized_view', name: 'events_mv', detail: { target: null, as_select: 'SELECT 1' } },
      ],
      messages: [
        'table events has engine MergeTree in the migrations but ReplacingMergeTree in the database',
        'materialized view events_mv exists in the database, but no migration creates it',
      ],
    },
    { name: 'equal catalogs', expected: [table('users')], actual: [table('users')], messages: [] },
  ])('$name', ({ expected, actual, messages }) => {
    expect(
      diffCatalogs(expected, actual)
        .map((difference) => difference.message)
        .sort(),
    ).toEqual([...messages].sort());
  });

  it('speaks of Up and Down for the rollback check', () => {
    const before = [table('users')];
    const after = [table('users'), column('users.nickname', 'text')];
    expect(diffCatalogs(before, after, ROLLBACK_WORDING).map((d) => d.message)).toEqual(['column users.nickname text is still there after the Down']);
  });
});
