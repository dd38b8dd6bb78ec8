/**
 * What a Down section drops, read from its statements, so that a rollback can say what goes
 * before it runs. Pure, and deliberately plain: `DROP TABLE|VIEW|MATERIALIZED VIEW|TYPE|DICTIONARY`
 * statements with their names; anything else (a dropped column, a function) is not listed.
 */
import type { Statement } from './types.ts';

export interface Dropped {
  kind: 'table' | 'view' | 'materialized view' | 'type' | 'dictionary';
  /** As written in the statement (may be schema-qualified or quoted). */
  name: string;
}

const DROP = /^\s*DROP\s+(TABLE|VIEW|MATERIALIZED\s+VIEW|TYPE|DICTIONARY)\s+(?:IF\s+EXISTS\s+)?([\s\S]+?)\s*(?:\bON\s+CLUSTER\b[\s\S]*)?(?:\b(?:CASCADE|RESTRICT|SYNC)\b\s*)?;?\s*$/i;

/** Every table, view or type the statements drop, in statement order. */
export function droppedBy(statements: Statement[]): Dropped[] {
  const dropped: Dropped[] = [];
  for (const statement of statements) {
    const match = DROP.exec(withoutComments(statement.sql));
    if (!match) continue;
    const kind = match[1]!.toLowerCase().replace(/\s+/g, ' ') as Dropped['kind'];
    for (const name of match[2]!.split(',')) {
      const trimmed = name.trim();
      if (trimmed) dropped.push({ kind, name: trimmed });
    }
  }
  return dropped;
}

/** Line comments out (a Down often starts with `-- undo …`). */
function withoutComments(sql: string): string {
  return sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n');
}
