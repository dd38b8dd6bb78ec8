/**
 * `node --import tsx bench/schema-log.ts [DATABASE_URL]`: what saying "what a migration changed"
 * costs a daemon run. A run applying one migration reads the catalog once after it either way
 * (the Prisma fingerprint needs it, and the schema log hands over its copy), so the added cost is
 * the diff, plus one catalog read when the kept catalog is stale (the first run, or after goose
 * ran). Measured on the example project's schema with one more table per round.
 * Without a URL the embedded PostgreSQL under /tmp is used.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { schemaChanges } from '../daemon/drift/schema-changes.ts';
import { silentLogger } from '../daemon/log/types.ts';
import { checksum } from '../daemon/migrations/checksum.ts';
import { parseMigration } from '../daemon/migrations/parse.ts';
import { readMigrations } from '../daemon/migrations/source.ts';
import { startEmbeddedPostgres } from '../daemon/targets/postgres/embedded.ts';
import { createPostgresTarget } from '../daemon/targets/postgres/target.ts';
import { createDatabaseOn } from '../test/helpers/sql.ts';

const ROUNDS = 20;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const embedded = process.argv[2]
  ? undefined
  : await startEmbeddedPostgres({ dataDir: await mkdtemp(path.join(tmpdir(), 'schemasync-bench-pg-')), logger: silentLogger });
const database = await createDatabaseOn(process.argv[2] ?? embedded!.url, 'schemasync_bench_schema_log');
const target = createPostgresTarget(database.url, { logger: silentLogger });
try {
  const root = path.resolve(import.meta.dirname, '..');
  const { files } = await readMigrations('migrations/postgres', { projectRoot: root });
  await target.listVersions();
  for (const file of files) await target.apply({ file, direction: 'up', ...parseMigration(file.text, 'up', { file: file.path }) });
  const introspect: number[] = [];
  const diff: number[] = [];
  let before = await target.introspect();
  for (let round = 0; round < ROUNDS; round++) {
    const text = `-- +goose Up\nCREATE TABLE bench_${round} (id bigserial PRIMARY KEY, name text);\n-- +goose Down\nDROP TABLE bench_${round};\n`;
    const file = {
      version: 90_000_000_000_000 + round,
      description: 'bench',
      name: `bench_${round}.sql`,
      path: `bench_${round}.sql`,
      text,
      checksum: checksum(text),
    };
    await target.apply({ file, direction: 'up', ...parseMigration(text, 'up', { file: file.path }) });
    let started = performance.now();
    const after = await target.introspect();
    introspect.push(performance.now() - started);
    started = performance.now();
    schemaChanges(before, after);
    diff.push(performance.now() - started);
    before = after;
  }
  console.log(`catalog entries: ${before.length}`);
  console.log(`diff per migration (the added cost of a warm run): median ${median(diff).toFixed(2)} ms, max ${Math.max(...diff).toFixed(2)} ms`);
  console.log(`catalog read (added once when the kept catalog is stale): median ${median(introspect).toFixed(1)} ms`);
} finally {
  await target.close();
  await database.drop();
  await embedded?.stop();
}
