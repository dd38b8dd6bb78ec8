import { checksum } from '../migrations/checksum.ts';
import { lineDiff } from './diff.ts';
import type { Finding } from './types.ts';

/** The findings of one Prisma schema file and what a generated client says, shared by prisma.ts and prisma-folder.ts. */

/** `prismaSchemaFindings` for one file of a schema, whose pulled text may be empty (every model of it dropped). */
export function schemaFileFindings(file: string, current: string, printed: string, databaseChanged?: boolean): Finding[] {
  const diff = lineDiff(current, printed, { labels: [`${file}`, 'prisma db pull --print'] });
  if (!diff) return [];
  if (databaseChanged) {
    return [
      {
        kind: 'prisma-unpulled',
        key: `prisma-unpulled:${file}:${checksum(diff.text).slice(0, 12)}`,
        message: `${file} has not been pulled since the database schema changed (first difference at line ${diff.firstLine})`,
        hint: 'run `schemasync sync` (or keep `schemasync watch` running) to pull the Prisma schema and regenerate the client; a change made to the database by hand belongs in a migration first',
        file,
        line: diff.firstLine,
        detail: diff.text,
      },
    ];
  }
  const unknown = databaseChanged === undefined ? '; if the database changed since the last pull (e.g. `schemasync up` alone), run `schemasync sync`' : '';
  return [
    {
      kind: 'prisma-schema',
      key: `prisma-schema:${file}:${checksum(diff.text).slice(0, 12)}`,
      message: `${file} differs from what \`prisma db pull\` gives for the database (first difference at line ${diff.firstLine}): a hand edit the next pull will overwrite, or a database change not pulled yet`,
      hint: `put a hand edit in a new migration instead (schemasync pulls the Prisma schema after each one) or drop it with \`prisma db pull\`; a change made to the database by hand belongs in a migration too${unknown}`,
      file,
      line: diff.firstLine,
      detail: diff.text,
    },
  ];
}

/** What one generator's output says about the schema it was generated from. */
export interface GeneratedClient {
  /** Project-relative output folder. */
  output: string;
  exists: boolean;
  /** The schema text embedded in the client (`inlineSchema`), when found. */
  schema?: string;
}
