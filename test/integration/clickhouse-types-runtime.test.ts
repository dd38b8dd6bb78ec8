/**
 * The generated ClickHouse types are true at run time: a row of every mapped type is inserted into
 * a real ClickHouse, read back through @clickhouse/client (JSONEachRow, as the target reads), and
 * the rows are compiled against the generated TypeScript with `tsc --strict` (each value's JSON
 * literal must be assignable to its property's type; missing and extra properties fail too).
 * Run on the 18.16 server (the old end) and on the current engine (chdb), each with the types it has.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { silentLogger } from '../../daemon/log/types.ts';
import { openClickHouseSession, type SessionOptions } from '../../daemon/targets/clickhouse/connection.ts';
import { createClickHouseTarget } from '../../daemon/targets/clickhouse/target.ts';
import type { Target } from '../../daemon/targets/target.ts';
import { typescriptTypes } from '../../daemon/tools/clickhouse-types/typescript.ts';
import { chdbMissing, createChdbDatabase } from '../helpers/chdb.ts';
import { clickhouseMissing, createTestClickHouseDatabase } from '../helpers/clickhouse.ts';
import { describeWith } from '../helpers/require.ts';
import { BASE_COLUMNS, MODERN_COLUMNS, sampleTable, type SampleColumn } from './clickhouse-types-samples.ts';

const TSC = path.resolve(import.meta.dirname, '../../node_modules/typescript/bin/tsc');

/** `tsc --strict` on `files` in `folder` (no @types, no lib checks: only the generated types are under test); its output. */
function tsc(folder: string, files: string[]): string {
  const args = [TSC, '--strict', '--noEmit', '--skipLibCheck', '--allowImportingTsExtensions', '--target', 'es2022', '--module', 'nodenext', ...files];
  try {
    execFileSync(process.execPath, args, { cwd: folder, encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

interface Engine {
  name: string;
  needs: string;
  missing: () => string | undefined;
  create(): Promise<{ url: string; drop(): Promise<void>; session: SessionOptions }>;
  columns: SampleColumn[];
}

const ENGINES: Engine[] = [
  {
    name: 'ClickHouse 18.16 (server)',
    needs: 'a ClickHouse server',
    missing: clickhouseMissing,
    create: async () => ({ ...(await createTestClickHouseDatabase()), session: {} }),
    columns: BASE_COLUMNS,
  },
  {
    name: 'current ClickHouse (chdb)',
    needs: 'chdb (test/fixtures/chdb)',
    missing: chdbMissing,
    create: async () => {
      const database = await createChdbDatabase();
      return { ...database, session: { connection: database.connection } };
    },
    columns: [...BASE_COLUMNS, ...MODERN_COLUMNS],
  },
];

for (const engine of ENGINES) {
  describeWith(engine.needs, engine.missing(), `ClickHouse types at run time: ${engine.name}`, () => {
    let database: Awaited<ReturnType<Engine['create']>>;
    let target: Target;
    const folder = mkdtempSync(path.join(tmpdir(), 'schemasync-chtypes-'));

    beforeAll(async () => {
      database = await engine.create();
      target = createClickHouseTarget(database.url, { logger: silentLogger, session: database.session });
      const session = openClickHouseSession(database.url, database.session);
      const { create, insert } = sampleTable(engine.columns);
      await session.command(create);
      await session.command(insert);
      await session.close();
    });
    afterAll(async () => {
      await target?.close();
      await database?.drop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('types every column without a warning, and the rows read back through @clickhouse/client compile against them under tsc --strict (a wrong value does not)', async () => {
      const tables = await target.describeTables!();
      expect(tables.map((table) => table.name)).toEqual(['every_type']);
      const generated = typescriptTypes(tables, 'migrations/clickhouse');
      expect(generated.warnings).toEqual([]);
      writeFileSync(path.join(folder, 'index.ts'), generated.files[0]!.text);

      const session = openClickHouseSession(database.url, database.session);
      // SELECT * as an application does; then the MATERIALIZED and ALIAS columns, which only naming selects.
      const star = await session.rows<Record<string, unknown>>('SELECT * FROM every_type');
      const hidden = engine.columns.filter((c) => /^(MATERIALIZED|ALIAS)\b/.test(c.extra ?? '')).map((c) => c.name);
      const named = await session.rows<Record<string, unknown>>(`SELECT *, ${hidden.join(', ')} FROM every_type`);
      await session.close();
      expect(star).toHaveLength(1);
      expect(Object.keys(named[0]!)).toEqual(expect.arrayContaining(hidden));

      // Each value goes in as the JSON it arrived as: its literal type is checked against the generated one.
      const check = [
        "import type { EveryType } from './index.ts';",
        `export const star: EveryType[] = ${JSON.stringify(star, null, 2)};`,
        `export const named: EveryType[] = ${JSON.stringify(named, null, 2)};`,
        '',
      ].join('\n');
      writeFileSync(path.join(folder, 'check.ts'), check);
      // The control: the same row with a 64-bit integer as a number must not compile.
      writeFileSync(
        path.join(folder, 'wrong.ts'),
        `import type { EveryType } from './index.ts';\nexport const row: EveryType = ${JSON.stringify({ ...star[0], u64: 1 })};\n`,
      );
      const output = tsc(folder, ['check.ts', 'wrong.ts']);
      const errors = output.split('\n').filter((line) => /error TS/.test(line));
      expect(
        errors.filter((line) => !line.startsWith('wrong.ts')),
        `${output}\n--- generated\n${generated.files[0]!.text}\n--- rows\n${check}`,
      ).toEqual([]);
      expect(errors.filter((line) => line.startsWith('wrong.ts')).join('\n')).toContain("Type 'number' is not assignable to type 'string'");
    });
  });
}
