// Ad-hoc: the warm worker's pull+generate on the example schema as one file and as a folder, side by side.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from './daemon/log/types.ts';
import { PrismaWorker } from './daemon/tools/prisma-worker/client.ts';
import { locatePrismaCli } from './daemon/tools/locate.ts';
import { splitIntoSchemaFolder } from './test/helpers/prisma-files.ts';

const url = process.argv[2]!;
const repo = process.cwd();
const cli = (await locatePrismaCli(repo))!;
async function project(folder: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-folder-'));
  mkdirSync(join(dir, 'prisma'));
  cpSync(join(repo, 'prisma.config.ts'), join(dir, 'prisma.config.ts'));
  cpSync(join(repo, 'prisma/pg-adapter.ts'), join(dir, 'prisma/pg-adapter.ts'));
  cpSync(join(repo, 'prisma/schema.prisma'), join(dir, 'prisma/schema.prisma'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  if (folder) splitIntoSchemaFolder(dir);
  const schema = join(dir, folder ? 'prisma/schema' : 'prisma/schema.prisma');
  const worker = PrismaWorker.create({ cli, schema, configFile: join(dir, 'prisma.config.ts'), databaseUrl: url, projectRoot: dir, logger: silentLogger })!;
  await worker.start();
  return { dir, worker };
}
const sides = { file: await project(false), folder: await project(true) };
const times: Record<string, number[]> = { file: [], folder: [] };
const signal = new AbortController().signal;
for (let i = 0; i < 8; i++) {
  for (const [name, side] of Object.entries(sides)) {
    const start = performance.now();
    const a = await side.worker.run('pull', signal, 60000);
    const b = await side.worker.run('generate', signal, 60000);
    if (!a.served || !b.served) throw new Error(JSON.stringify([a, b]));
    times[name]!.push(performance.now() - start);
  }
}
for (const [name, list] of Object.entries(times)) {
  const sorted = list.slice(2).sort((x, y) => x - y);
  console.log(name, 'median', Math.round(sorted[Math.floor(sorted.length / 2)]!), 'ms; all', list.map(Math.round).join(' '));
}
for (const side of Object.values(sides)) { await side.worker.close(); rmSync(side.dir, { recursive: true, force: true }); }
