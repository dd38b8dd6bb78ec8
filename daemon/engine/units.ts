import type { Env } from '../config/load.ts';
import { GoMigrationError } from '../errors.ts';
import { parseMigration } from '../migrations/parse.ts';
import type { Direction, MigrationFile } from '../migrations/types.ts';
import type { ApplyUnit } from '../targets/target.ts';

/** Parses one direction of each file before anything touches the database: a bad file stops the command first. */
export function unitsFor(files: MigrationFile[], direction: Direction, env: Env): ApplyUnit[] {
  return files.map((file) => {
    if (file.go) throw new GoMigrationError(file.path, direction);
    const section = parseMigration(file.text, direction, { file: file.path, env });
    return { file, direction, statements: section.statements, noTransaction: section.noTransaction };
  });
}
