import { createRequire } from 'node:module';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { createDmmfReader } from '../../daemon/tools/prisma-worker/dmmf-reuse.ts';
import { sameJson } from '../../daemon/tools/prisma-worker/same-json.ts';
import { routeSchemaWasm } from '../../daemon/tools/prisma-worker/schema-wasm.ts';
import { findPackageDir } from '../../daemon/tools/prisma-worker/support.ts';
import { itGeneratesFromAFrozenDmmf } from '../helpers/prisma-frozen-dmmf.ts';
import { relatedModelsSchema } from '../helpers/prisma-schema-text.ts';
import { repoRoot } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { prismaCli, prismaMissing } from '../helpers/tools.ts';

/**
 * The DMMF reader and the routed schema wasm on Prisma's own wasm (this repository's Prisma 6):
 * getDMMF answers what it answers without them, with the unchanged items' objects reused, and
 * getConfig answers a repeated schema from memory. Then the claim their soundness rests on:
 * nothing downstream writes to the DMMF (prisma-frozen-dmmf.ts; Prisma 7's in
 * prisma7-dmmf-reuse.test.ts, in a process of its own).
 */

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument --
   Prisma's internal packages: no types. */

const internalsDir = findPackageDir('@prisma/internals', repoRoot)!;
const internals = createRequire(join(repoRoot, 'package.json'))('@prisma/internals');
const wasm = createRequire(join(internalsDir, 'package.json'))('@prisma/prisma-schema-wasm');
const nativeParse = JSON.parse;

const GENERATOR = `generator client {\n  provider = "prisma-client"\n  output   = "../generated/prisma"\n  engineType = "client"\n}\n\n`;

describe('the routed schema wasm', () => {
  const params = (text: string) => JSON.stringify({ prismaSchema: [['schema.prisma', text]], noColor: Boolean(process.env.NO_COLOR) });
  // 80 models; a column, an enum value and a model; 3 models; 80 again.
  const changed =
    relatedModelsSchema(80).replace('model m2 {\n', 'model m2 {\n  note String?\n').replace('  draft\n', '  draft\n  archived\n') +
    '\nmodel extra {\n  id Int @id\n}\n';
  const states = [relatedModelsSchema(80), changed, relatedModelsSchema(3), relatedModelsSchema(80)];
  // Before routing: the wasm's own answers.
  const expected = states.map((text) => nativeParse(wasm.get_dmmf(params(text))));
  const configCalls: string[] = [];
  const getConfig = wasm.get_config;
  wasm.get_config = (p: string) => (configCalls.push(p), getConfig(p));
  const reader = createDmmfReader();
  const refused = routeSchemaWasm(internalsDir, reader);

  it("getDMMF answers the wasm's own DMMF, parsing only what changed since the last", async () => {
    expect(refused).toBeUndefined();
    const counts = [];
    for (const [i, text] of states.entries()) {
      const dmmf = await internals.getDMMF({ datamodel: [['schema.prisma', text]] });
      expect(sameJson(dmmf, expected[i]), `state ${i}`).toBe(true);
      expect(JSON.parse).toBe(nativeParse);
      counts.push({ ...reader.counts });
    }
    expect(counts[0]!['dmmf.reused']).toBe(0);
    // A column, an enum value and a model at 80 models: a few dozen items of ~7,000 parsed again.
    expect(counts[1]!['dmmf.reused']).toBeGreaterThan(6000);
    expect(counts[1]!['dmmf.parsed']).toBeLessThan(300);
    expect(counts[1]!['dmmf.parsed']).toBeGreaterThan(10);
  });

  it('a DMMF the wasm refuses fails as before, and JSON.parse is itself after it', async () => {
    await expect(internals.getDMMF({ datamodel: [['schema.prisma', 'model broken {\n  id Int @id\n  other Missing\n}\n']] })).rejects.toThrow(/Missing/);
    expect(JSON.parse).toBe(nativeParse);
    expect(JSON.parse('{"a":[{"b":1}]}')).toEqual({ a: [{ b: 1 }] });
  });

  it('getConfig of a schema asked just before is answered from memory (the last two kept)', async () => {
    const config = (text: string) => internals.getConfig({ datamodel: [['schema.prisma', text]], ignoreEnvVarErrors: true });
    configCalls.length = 0;
    const [a, b, c] = [relatedModelsSchema(2), relatedModelsSchema(4), relatedModelsSchema(5)];
    const first = await config(a);
    expect(await config(a)).toEqual(first);
    expect(configCalls).toHaveLength(1);
    await config(b);
    await config(a);
    expect(configCalls).toHaveLength(2);
    await config(c); // a is now the oldest of three: dropped
    await config(a);
    expect(configCalls).toHaveLength(4);
  });
});

describeWith('prisma', prismaMissing, 'the generator on a frozen, shared DMMF (Prisma 6)', () => {
  itGeneratesFromAFrozenDmmf({
    from: repoRoot,
    files: ['prisma.config.ts', 'prisma/pg-adapter.ts', 'package.json'],
    nodeModules: join(repoRoot, 'node_modules'),
    cli: prismaCli!,
    generator: GENERATOR,
    url: true,
  });
});
