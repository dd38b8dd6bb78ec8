import { describe, expect, it } from 'vitest';

import { droppedBy } from '../../../daemon/migrations/drops.ts';
import { parseMigration } from '../../../daemon/migrations/parse.ts';

const down = (body: string) => parseMigration(`-- +goose Up\nSELECT 1;\n\n-- +goose Down\n${body}`, 'down', { file: 'x.sql', env: {} }).statements;

describe('droppedBy', () => {
  it.each([
    { body: 'DROP TABLE widgets;\n', dropped: [{ kind: 'table', name: 'widgets' }] },
    { body: 'drop table if exists public.widgets, "Odd Name" cascade;\n', dropped: [{ kind: 'table', name: 'public.widgets' }, { kind: 'table', name: '"Odd Name"' }] },
    { body: '-- undo\nDROP TABLE widgets;\nDROP TYPE widget_kind;\n', dropped: [{ kind: 'table', name: 'widgets' }, { kind: 'type', name: 'widget_kind' }] },
    { body: 'DROP MATERIALIZED VIEW IF EXISTS stats;\n', dropped: [{ kind: 'materialized view', name: 'stats' }] },
    { body: 'DROP TABLE events ON CLUSTER dev SYNC;\n', dropped: [{ kind: 'table', name: 'events' }] },
    { body: 'ALTER TABLE users DROP COLUMN nickname;\nDROP FUNCTION f();\nDROP INDEX users_x;\n', dropped: [] },
  ])('$body', ({ body, dropped }) => {
    expect(droppedBy(down(body))).toEqual(dropped);
  });
});
