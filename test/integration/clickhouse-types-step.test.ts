/**
 * The clickhouse-types step on a real ClickHouse, the 18.16 server and the current engine (chdb):
 * it writes the example project's row types after the migrations, is skipped while the catalog
 * fingerprint stays, follows a migration that adds a column, and warns once per unknown column.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import type { Logger } from '../../daemon/log/types.ts';
import { silentLogger } from '../../daemon/log/types.ts';
import { parseMigration } from '../../daemon/migrations/parse.ts';
import { readMigrations } from '../../daemon/migrations/source.ts';
import type { MigrationFile } from '../../daemon/migrations/types.ts';
import { MemoryFile } from '../../daemon/pipeline/memory.ts';
import { clickhouseTypesStep } from '../../daemon/pipeline/steps/clickhouse-types.ts';
import { newRunState, type RunState, type StepDeps } from '../../daemon/pipeline/steps/context.ts';
import type { SessionOptions } from '../../daemon/targets/clickhouse/connection.ts';
import { createClickHouseTarget } from '../../daemon/targets/clickhouse/target.ts';
import { fingerprintCatalog } from '../../daemon/targets/fingerprint.ts';
import type { Target } from '../../daemon/targets/target.ts';
import { chdbMissing, createChdbDatabase } from '../helpers/chdb.ts';
import { clickhouseMissing, createTestClickHouseDatabase } from '../helpers/clickhouse.ts';
import { repoRoot } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';

const ENGINES = [
  {
    name: 'ClickHouse 18.16 (server)',
    needs: 'a ClickHouse server',
    missing: clickhouseMissing,
    create: async () => ({ ...(await createTestClickHouseDatabase()), session: {} as SessionOptions }),
    // 18.16 has no type schemasync does not know but the experimental ones; a plain column then.
    added: 'browser Nullable(String)',
    addedTs: '  browser: string | null;',
  },
  {
    name: 'current ClickHouse (chdb)',
    needs: 'chdb (test/fixtures/chdb)',
    missing: chdbMissing,
    create: async () => {
      const database = await createChdbDatabase();
      return { ...database, session: { connection: database.connection } as SessionOptions };
    },
    added: "browser LowCardinality(String), seen DateTime64(3, 'UTC'), attrs Map(String, String), odd Variant(String, UInt64)",
    addedTs: '  browser: string;\n  seen: string;\n  attrs: Record<string, string>;\n  odd: unknown;',
  },
];

const unit = (file: MigrationFile) => ({ file, direction: 'up' as const, ...parseMigration(file.text, 'up', { file: file.path }) });

for (const engine of ENGINES) {
  describeWith(engine.needs, engine.missing(), `clickhouse-types step: ${engine.name}`, () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'schemasync-chstep-'));
    let database: Awaited<ReturnType<(typeof engine)['create']>>;
    let target: Target;
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (fields: unknown, message?: string) => void warnings.push(message ?? String(fields)), child: () => logger };

    beforeAll(async () => {
      database = await engine.create();
      target = createClickHouseTarget(database.url, { logger: silentLogger, session: database.session });
      await target.listVersions();
      const { files } = await readMigrations(path.join(repoRoot, 'migrations/clickhouse'), { projectRoot: repoRoot });
      for (const file of files) await target.apply(unit(file));
    });
    afterAll(async () => {
      await target?.close();
      await database?.drop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('writes the example tables, skips while the catalog stays, follows an added column, and warns once per unknown column', async () => {
      const memory = await MemoryFile.open(folder);
      const deps = { projectRoot: folder, logger, dirs: new Map([['clickhouse', path.join(folder, 'migrations/clickhouse')]]), memory } as unknown as StepDeps;
      const tsDir = path.join(folder, 'generated/clickhouse');
      const goDir = path.join(folder, 'server/ch');
      const step = clickhouseTypesStep(deps, { target, tsDir, go: { dir: goDir, packageName: 'ch' } });
      const stateAt = async (): Promise<RunState> => ({ ...newRunState(), fingerprints: { clickhouse: fingerprintCatalog(await target.introspect()) } });
      const signal = new AbortController().signal;

      let state = await stateAt();
      expect(step.skipReason({} as never, state)).toBeUndefined();
      expect(await step.run({} as never, state, signal)).toEqual({ status: 'ok', detail: '2 tables' });
      const ts = await readFile(path.join(tsDir, 'index.ts'), 'utf8');
      expect(ts).toContain('export interface ErrorEvents {');
      expect(ts).toContain('export interface Issues {');
      expect(existsSync(path.join(goDir, 'models.go'))).toBe(true);
      expect(step.skipReason({} as never, await stateAt())).toBe('ClickHouse schema unchanged');

      const text = `-- +goose Up\n${engine.added
        .split(/, (?=[a-z]+ )/)
        .map((column) => `ALTER TABLE error_events ADD COLUMN ${column};`)
        .join('\n')}\n`;
      await target.apply(
        unit({
          version: 20250101100200,
          description: 'add',
          name: '20250101100200_add.sql',
          path: 'migrations/clickhouse/20250101100200_add.sql',
          text,
          checksum: 'x',
        }),
      );
      state = await stateAt();
      expect(step.skipReason({} as never, state)).toBeUndefined();
      await step.run({} as never, state, signal);
      await step.run({} as never, { ...state, force: true }, signal);
      expect(await readFile(path.join(tsDir, 'index.ts'), 'utf8')).toContain(engine.addedTs);
      expect(warnings.filter((w) => w.includes('error_events.odd'))).toHaveLength(engine.added.includes('Variant') ? 1 : 0);
    });
  });
}
