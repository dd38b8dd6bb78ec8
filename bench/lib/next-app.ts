import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { runSchemasync, startSchemasync, type DaemonProcess } from '../../test/helpers/daemon.ts';
import {
  copyNextApp,
  firstGoodAnswer,
  nextFixtureMissing,
  startNextDev,
  type Bundler,
  type Generator,
  type NextApp,
  type NextDev,
} from '../../test/helpers/next-app.ts';
import { createDatabaseOn } from '../../test/helpers/sql.ts';
import type { Sample } from './scenarios.ts';
import type { BenchServers } from './servers.ts';

/**
 * "save → the running app serves the new model": a migration adding a table and the route that
 * reads it, saved together, until `GET` of that route answers 200 with the inserted row. Both
 * sides run `schemasync watch` beside a real `next dev` on the fixture app (test/fixtures/next-app).
 * Baseline: the app as Prisma's Next.js guide writes it, where only a restart helps: the developer
 * restarts `next dev` by hand the moment the daemon's run ends (no reaction time counted).
 * schemasync: the same app after `schemasync init --yes`, nothing restarted.
 */

const ANSWER_TIMEOUT_MS = 180_000;

interface Side {
  name: 'baseline' | 'schemasync';
  app: NextApp;
  daemon: DaemonProcess;
  next: NextDev;
  drop(): Promise<void>;
}

async function openSide(name: Side['name'], servers: BenchServers, generator: Generator, bundler: Bundler): Promise<Side> {
  const database = await createDatabaseOn(servers.postgresAdminUrl, `bench_next_${name}`);
  const app = await copyNextApp(generator, database.url);
  if (name === 'schemasync') {
    const init = await runSchemasync(['init', '--yes'], { cwd: app.root });
    if (!/rewrote lib\/prisma\.ts/.test(init.stdout)) throw new Error(`init did not rewrite lib/prisma.ts:\n${init.output}`);
  }
  const daemon = startSchemasync(['watch'], { cwd: app.root, env: { LOG_LEVEL: 'info' } });
  await daemon.waitFor((e) => e.event === 'run:end' && e.ok === true, 120_000, 'the first run');
  const next = await startNextDev(app.root, bundler);
  await firstGoodAnswer(next.url('/api/users'), (a) => a.status === 200, { since: performance.now(), timeoutMs: 240_000, everyMs: 500 });
  return { name, app, daemon, next, drop: () => database.drop() };
}

async function closeSide(side: Side): Promise<void> {
  await side.next.stop();
  await side.daemon.stop();
  await side.app.remove();
  await side.drop();
}

async function round(side: Side, n: number, bundler: Bundler): Promise<Sample> {
  const table = `gadgets_${n}`;
  const runsBefore = side.daemon.runEnds().length;
  const saved = performance.now();
  await mkdir(path.join(side.app.root, 'app', 'api', table), { recursive: true });
  await Promise.all([
    writeFile(
      path.join(side.app.root, 'db', 'migrations', `${String(100 + n).padStart(5, '0')}_${table}.sql`),
      `-- +goose Up\nCREATE TABLE ${table} (id serial PRIMARY KEY, name text NOT NULL);\nINSERT INTO ${table} (name) VALUES ('sprocket');\n\n-- +goose Down\nDROP TABLE ${table};\n`,
    ),
    writeFile(
      path.join(side.app.root, 'app', 'api', table, 'route.ts'),
      `import prisma from "@/lib/prisma";\n\nexport async function GET() {\n  return Response.json(await prisma.${table}.findMany());\n}\n`,
    ),
  ]);
  if (side.name === 'baseline') {
    // The daemon says it is done; the developer restarts next dev at once.
    await side.daemon.waitFor((e) => e.event === 'run:end' && side.daemon.runEnds().length > runsBefore, 120_000, 'the run of the save');
    await side.next.stop();
    side.next = await startNextDev(side.app.root, bundler);
  }
  const good = await firstGoodAnswer(side.next.url(`/api/${table}`), (a) => a.status === 200 && a.body.includes('sprocket'), {
    since: saved,
    timeoutMs: ANSWER_TIMEOUT_MS,
  });
  return { ms: good.ms, extra: { answers: good.seen } };
}

/** Each side keeps its app, daemon and dev server for all its rounds. */
export async function appServesNewModel(
  servers: BenchServers,
  rounds: number,
  log: (message: string) => void,
  variant: { generator: Generator; bundler: Bundler } = { generator: 'prisma-client', bundler: 'turbopack' },
): Promise<Record<'baseline' | 'schemasync', Sample[]> | { skipped: string }> {
  const missing = nextFixtureMissing();
  if (missing) return { skipped: missing };
  const samples: Record<'baseline' | 'schemasync', Sample[]> = { baseline: [], schemasync: [] };
  // One side at a time holds a dev server (all its rounds, then the other side): two next dev
  // processes compiling on two cores would slow each other down.
  for (const name of ['baseline', 'schemasync'] as const) {
    log(`next dev (${variant.bundler}, ${variant.generator}): ${name} side`);
    const side = await openSide(name, servers, variant.generator, variant.bundler);
    try {
      for (let n = 1; n <= rounds; n++) {
        const sample = await round(side, n, variant.bundler).catch((error: Error): Sample => ({ note: error.message.split('\n')[0] }));
        log(`  ${name} round ${n}: ${sample.ms === undefined ? sample.note : `${Math.round(sample.ms)} ms`}`);
        samples[name].push(sample);
      }
    } finally {
      await closeSide(side);
    }
  }
  return samples;
}
