import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A generated goose migration folder of `tables` related tables, the shape of a real app's
 * schema rather than a toy's: an enum, foreign keys (to the previous table and to a hub table),
 * unique and plain indexes, and ten column types. Deterministic: the same count gives the same
 * files, so the benchmark's sizes are comparable between runs.
 */
const COLUMNS = [
  'title varchar(200) NOT NULL',
  'body text',
  'amount numeric(12, 2) NOT NULL DEFAULT 0',
  'quantity integer NOT NULL DEFAULT 0',
  'big_count bigint',
  'is_active boolean NOT NULL DEFAULT true',
  'ratio double precision',
  'due_on date',
  'payload jsonb',
  "status gen_status NOT NULL DEFAULT 'draft'",
  'external_id uuid',
  'created_at timestamptz NOT NULL DEFAULT now()',
];

export const tableName = (index: number) => `gen_t${String(index).padStart(3, '0')}`;

/** The SQL of table `index` (1-based): the hub is table 1; others point at it and at their predecessor. */
export function generatedTableSql(index: number): string {
  const table = tableName(index);
  const lines = ['id bigserial PRIMARY KEY', ...COLUMNS];
  if (index > 1) lines.push(`hub_id bigint NOT NULL REFERENCES ${tableName(1)} (id) ON DELETE CASCADE`);
  if (index > 2) lines.push(`previous_id bigint REFERENCES ${tableName(index - 1)} (id) ON DELETE SET NULL`);
  const indexes = [
    `CREATE UNIQUE INDEX ${table}_external_id_key ON ${table} (external_id);`,
    `CREATE INDEX ${table}_status_created_idx ON ${table} (status, created_at);`,
  ];
  if (index > 1) indexes.push(`CREATE INDEX ${table}_hub_id_idx ON ${table} (hub_id);`);
  return `CREATE TABLE ${table} (\n    ${lines.join(',\n    ')}\n);\n${indexes.join('\n')}\n`;
}

/** Writes the folder: one migration for the enum, one per table (versions 2024…, before any bench file). */
export async function writeGeneratedMigrations(dir: string, tables: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  const version = (n: number) => `2024${String(n).padStart(10, '0')}`;
  await writeFile(
    path.join(dir, `${version(0)}_create_gen_status.sql`),
    "-- +goose Up\nCREATE TYPE gen_status AS ENUM ('draft', 'active', 'archived');\n\n-- +goose Down\nDROP TYPE gen_status;\n",
  );
  for (let index = 1; index <= tables; index++) {
    await writeFile(
      path.join(dir, `${version(index)}_create_${tableName(index)}.sql`),
      `-- +goose Up\n${generatedTableSql(index)}\n-- +goose Down\nDROP TABLE ${tableName(index)};\n`,
    );
  }
}
