import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Migration texts the benchmark writes, and goose file names for them. Versions come from one
 * counter so every new file sorts after everything already in the folder (2099 and later: after
 * the example's files and a real project's, which goose would refuse to apply out of order).
 */
let sequence = 0;

/** A goose timestamp version (YYYYMMDDhhmmss), one second after the previous one handed out. */
export function nextVersion(): string {
  const at = new Date(Date.UTC(2099, 0, 1) + sequence++ * 1000);
  return at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export const migrationName = (version: string, description: string) => `${version}_${description}.sql`;

export function createTableSql(table: string, columns = ['name text NOT NULL', 'created_at timestamptz NOT NULL DEFAULT now()']): string {
  return `-- +goose Up\nCREATE TABLE ${table} (\n    id bigserial PRIMARY KEY,\n    ${columns.join(',\n    ')}\n);\n\n-- +goose Down\nDROP TABLE ${table};\n`;
}

export function seedRowsSql(table: string, round: string): string {
  return `-- +goose Up\nINSERT INTO ${table} (note) SELECT 'round ${round} row ' || g FROM generate_series(1, 100) AS g;\n\n-- +goose Down\nDELETE FROM ${table} WHERE note LIKE 'round ${round} row %';\n`;
}

export function clickhouseTableSql(table: string): string {
  return `-- +goose Up\nCREATE TABLE ${table} (id UInt64, at DateTime, message String) ENGINE = MergeTree() ORDER BY id;\n\n-- +goose Down\nDROP TABLE ${table};\n`;
}

/** sqlc's Go struct name for a table (snake_case to PascalCase; sqlc singularizes only plain plurals). */
export function goStructName(table: string): string {
  return table
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * Fills `dir` with `count` generated migrations: a table, then indexes on it and SQL functions,
 * in a fixed 1:3:3 mix, as a long-lived project accumulates them.
 */
export async function writeScaleMigrations(dir: string, count: number): Promise<void> {
  let table = '';
  for (let i = 0; i < count; i++) {
    const version = nextVersion();
    const kind = i % 7;
    let name: string;
    let text: string;
    if (kind === 0) {
      table = `scale_t${i}`;
      name = migrationName(version, `create_${table}`);
      text = createTableSql(table, ['a integer NOT NULL DEFAULT 0', 'b text', 'c timestamptz NOT NULL DEFAULT now()']);
    } else if (kind <= 3) {
      const column = ['a', 'b', 'c'][kind - 1]!;
      name = migrationName(version, `index_${table}_${column}`);
      text = `-- +goose Up\nCREATE INDEX ${table}_${column}_idx ON ${table} (${column});\n\n-- +goose Down\nDROP INDEX ${table}_${column}_idx;\n`;
    } else {
      name = migrationName(version, `function_scale_f${i}`);
      text = `-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION scale_f${i}(x integer) RETURNS integer\nLANGUAGE sql IMMUTABLE AS $$\n    SELECT x + ${i};\n$$;\n-- +goose StatementEnd\n\n-- +goose Down\nDROP FUNCTION scale_f${i}(integer);\n`;
    }
    await writeFile(path.join(dir, name), text);
  }
}
