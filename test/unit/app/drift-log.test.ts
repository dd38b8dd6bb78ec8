import { expect, it } from 'vitest';

import { createLogger } from '../../../daemon/log/logger.ts';
import { logDriftChanges } from '../../../daemon/app/drift.ts';

it('an "edited after it was applied" warning prints its diff once in the pretty log, and keeps it in JSON', () => {
  const finding = {
    kind: 'migration-edited' as const,
    target: 'postgres',
    key: 'migration-edited:postgres:1:abc',
    message: 'migrations/postgres/00001_a.sql was edited after it was applied on postgres; the database still has the applied version',
    hint: 'revert the edit and write a new migration (goose never re-runs an applied file)',
    file: 'migrations/postgres/00001_a.sql',
    detail: '--- applied\n+++ file now\n-CREATE TABLE a (id int);\n+CREATE TABLE a (id bigint);',
  };
  for (const format of ['pretty', 'json'] as const) {
    let text = '';
    const logger = createLogger({ level: 'info', format, colorize: false, destination: { write: (line: string) => (text += line) } });
    logDriftChanges(logger, { appeared: [finding], resolved: [] });
    const escaped = format === 'json' ? JSON.stringify('+CREATE TABLE a (id bigint);').slice(1, -1) : '+CREATE TABLE a (id bigint);';
    expect(text.split(escaped).length - 1, text).toBe(1);
  }
});
