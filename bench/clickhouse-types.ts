/**
 * `node --import tsx bench/clickhouse-types.ts [CLICKHOUSE_URL]`: what the ClickHouse types step
 * costs a run at 50 tables. Split in two, as the target of < 20 ms is the daemon's own time:
 * - read: `describeTables` (two queries; mostly the server's time), on the URL's server, else a
 *   local clickhouse-server (18.16 here);
 * - own: the daemon's CPU and file work: generating TypeScript and Go for the 50 tables and
 *   writing them (a run after a schema change) or comparing them (nothing changed).
 * Writes bench/results/clickhouse-types.md.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { silentLogger } from '../daemon/log/types.ts';
import { MemoryFile } from '../daemon/pipeline/memory.ts';
import { clickhouseTypesStep } from '../daemon/pipeline/steps/clickhouse-types.ts';
import type { StepDeps } from '../daemon/pipeline/steps/context.ts';
import { createClickHouseTarget } from '../daemon/targets/clickhouse/target.ts';
import type { TableShape, Target } from '../daemon/targets/target.ts';
import { clickhouseQuery } from '../test/helpers/clickhouse.ts';
import { startLocalBinary } from '../test/helpers/clickhouse-server.ts';

const TABLES = 50;
const ROUNDS = 30;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const COLUMNS = [
  'id UInt64',
  'project_id UInt64',
  'created_at DateTime',
  "level Enum8('debug' = 1, 'info' = 2, 'warning' = 3, 'error' = 4)",
  'message String',
  'user_id Nullable(String)',
  'amount Decimal(18, 4)',
  'tags Array(String)',
  'attrs Nested(key String, value String)',
  'score Float64',
  'day Date MATERIALIZED toDate(created_at)',
  'flag UInt8 DEFAULT 0',
];

const server = process.argv[2] ? undefined : await startLocalBinary();
const serverUrl = process.argv[2] ?? server!.url;
const database = `schemasync_bench_types_${process.pid}`;
await clickhouseQuery(serverUrl, `CREATE DATABASE ${database}`);
const folder = await mkdtemp(path.join(tmpdir(), 'schemasync-bench-chtypes-'));
const target = createClickHouseTarget(`${serverUrl}/${database}`, { logger: silentLogger });
try {
  for (let i = 0; i < TABLES; i++) {
    await clickhouseQuery(serverUrl, `CREATE TABLE t_${i} (${COLUMNS.join(', ')}) ENGINE = MergeTree() ORDER BY (project_id, id)`, database);
  }
  const version = (await clickhouseQuery(serverUrl, 'SELECT version()')).trim();

  const read: number[] = [];
  let tables: TableShape[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    tables = await target.describeTables!();
    read.push(performance.now() - started);
  }

  // The step itself, with its read served from memory: what is left is the daemon's own time.
  const cached: Target = {
    ...target,
    name: 'clickhouse',
    describeTables: () => Promise.resolve(structuredClone(tables)),
    introspect: () => Promise.resolve([]),
  };
  const memory = await MemoryFile.open(folder);
  const deps = {
    projectRoot: folder,
    logger: silentLogger,
    dirs: new Map([['clickhouse', path.join(folder, 'migrations/clickhouse')]]),
    memory,
  } as unknown as StepDeps;
  const step = clickhouseTypesStep(deps, {
    target: cached,
    tsDir: path.join(folder, 'generated/clickhouse'),
    go: { dir: path.join(folder, 'server/ch'), packageName: 'ch' },
  });
  await writeFile(path.join(folder, 'go.mod'), 'module x\n\ngo 1.22\n');
  const changed: number[] = [];
  const unchanged: number[] = [];
  const changedCpu: number[] = [];
  const unchangedCpu: number[] = [];
  const signal = new AbortController().signal;
  // Wall time and this process's CPU time (user + system): on a shared machine the wall time includes waiting for a core.
  const measure = async (wall: number[], cpu: number[], round: number) => {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    await step.run({} as never, { files: {}, versions: {}, ledgers: {}, fingerprints: { clickhouse: `fp${round}` } }, signal);
    const used = process.cpuUsage(cpuStarted);
    wall.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
  };
  for (let round = 0; round < ROUNDS; round++) {
    // A schema change: one table gains a column, so both files are rewritten.
    tables[round % TABLES]!.columns.push({ name: `extra_${round}`, type: 'String', defaultKind: '' });
    await measure(changed, changedCpu, round);
    await measure(unchanged, unchangedCpu, round);
  }

  const ms = (values: number[]) => `${median(values).toFixed(1)} ms (max ${Math.max(...values).toFixed(1)})`;
  const report = [
    '# ClickHouse types step at 50 tables',
    '',
    `ClickHouse ${version}, ${TABLES} tables of ${COLUMNS.length + 1} columns each (a Nested counts as its two arrays), ${ROUNDS} rounds, median; Node ${process.version}.`,
    '',
    '| part | wall time | CPU time of the daemon |',
    '| --- | --- | --- |',
    `| read: describeTables (2 queries, mostly the server) | ${ms(read)} | |`,
    `| own: generate TypeScript + Go and write both files (schema changed) | ${ms(changed)} | ${ms(changedCpu)} |`,
    `| own: generate and compare, nothing written (files already right) | ${ms(unchanged)} | ${ms(unchangedCpu)} |`,
    '',
    `Machine load average while measuring: ${(await import('node:os')).loadavg()[0]!.toFixed(1)} (${(await import('node:os')).cpus().length} cores).`,
    '',
    "Target: the daemon's own time under 20 ms per run.",
    '',
  ].join('\n');
  process.stdout.write(report);
  await writeFile(path.resolve(import.meta.dirname, 'results/clickhouse-types.md'), report);
} finally {
  await target.close();
  await clickhouseQuery(serverUrl, `DROP DATABASE IF EXISTS ${database}`);
  await rm(folder, { recursive: true, force: true });
  await server?.stop();
}
