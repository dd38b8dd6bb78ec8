import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, expect, it } from 'vitest';

import { loadInProcessPrisma } from '../../daemon/tools/prisma-worker/in-process.ts';
import { prismaGenerate } from '../../daemon/tools/prisma.ts';
import { runTool } from '../../daemon/tools/run.ts';
import { differingFiles, prismaOutput } from './prisma-files.ts';
import { relatedModelsSchema } from './prisma-schema-text.ts';

const DATABASE_URL = 'postgresql://schemasync@localhost:1/never-connected';

/** A Prisma project: `files` copied from `from` (prisma.config.ts …), `nodeModules` linked. */
export interface FrozenDmmfProject {
  from: string;
  files: string[];
  nodeModules: string;
  /** The prisma CLI's entry in nodeModules. */
  cli: string;
  /** The generator block. */
  generator: string;
  /** Whether the datasource block names its URL (Prisma 6) or the config does (Prisma 7). */
  url: boolean;
}

/**
 * The claim the DMMF reuse (dmmf-reuse.ts) rests on, for one Prisma: the generator, handed a
 * deep-frozen DMMF whose items are shared with the last run (its code is strict: a write to a
 * frozen object throws), writes the CLI's client byte for byte. 80 related models (every model
 * rendered from frozen objects); then a column, an enum value every model uses, and a model; then
 * one more model (spliced into the last DMMF; most answered from the memo, with frozen objects
 * shared since the first run).
 */
export function itGeneratesFromAFrozenDmmf(project: FrozenDmmfProject): void {
  const dirs: string[] = [];
  const previousUrl = process.env.DATABASE_URL;
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    if (previousUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = previousUrl;
  });

  it('80 models; a column, an enum value and a model; one more model: the client is the CLI’s', async () => {
    process.env.DATABASE_URL = DATABASE_URL;
    const models = relatedModelsSchema(80, { url: project.url });
    const changed = models
      .replace('model m2 {\n', 'model m2 {\n  note String?\n')
      .replace('enum gen_status {\n  draft\n', 'enum gen_status {\n  draft\n  archived\n')
      .concat('\nmodel extra {\n  id Int @id\n  label String\n}\n');
    const last = `${changed}\nmodel extra2 {\n  id Int @id\n}\n`;

    const dir = mkdtempSync(join(tmpdir(), 'schemasync-frozen-dmmf-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'prisma'));
    for (const file of project.files) cpSync(join(project.from, file), join(dir, file));
    symlinkSync(project.nodeModules, join(dir, 'node_modules'));
    const schema = join(dir, 'prisma/schema.prisma');
    const configFile = join(dir, 'prisma.config.ts');

    writeFileSync(schema, project.generator + models);
    const prisma = await loadInProcessPrisma({ projectRoot: dir, schema, configFile, freezeDmmf: true });
    expect(prisma.unsupported).toBeUndefined();
    await prisma.generate();
    writeFileSync(schema, project.generator + changed);
    await prisma.generate();
    // Changes reaching related models: the whole DMMF, its unchanged items the last run's objects.
    const reuse = { ...(prisma.reuse as Record<string, number>) };
    expect(reuse['dmmf.reused']).toBeGreaterThan(6000);
    expect(reuse['model.reused']).toBeGreaterThan(75);
    writeFileSync(schema, project.generator + last);
    await prisma.generate();
    await prisma.close();
    // A model of its own: spliced into the last DMMF (dmmf-splice.ts), its parts frozen as well.
    expect((prisma.reuse as Record<string, number>)['dmmf.spliced']).toBe(1);
    const generated = prismaOutput(dir);

    // The CLI in the same folder (the client names its absolute paths).
    rmSync(join(dir, 'generated'), { recursive: true });
    const command = prismaGenerate({ cli: project.cli, schema, configFile, databaseUrl: DATABASE_URL });
    // Offline, the 7.x CLI's generate only wants some schema engine file to exist; it never runs it.
    await runTool({ ...command, env: { ...command.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath } }, { cwd: dir, timeoutMs: 120_000 });
    const expected = prismaOutput(dir);
    expect(expected.size).toBeGreaterThan(80);
    expect(differingFiles(expected, generated)).toEqual([]);
  }, 240_000);
}
