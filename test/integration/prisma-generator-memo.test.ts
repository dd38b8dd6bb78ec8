import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { installGeneratorMemo, loadReviewedGenerator, type Renderers } from '../../daemon/tools/prisma-worker/generator-memo.ts';
import { typesNeedingGenericArgument, type InputObjectType } from '../../daemon/tools/prisma-worker/generic-args.ts';
import { findPackageDir } from '../../daemon/tools/prisma-worker/support.ts';
import { repoRoot } from '../helpers/project.ts';

/**
 * The generator memo's own ground: generic-args.ts restates GenericArgsInfo, so on real DMMFs
 * (Prisma's wasm, the reviewed generator's own classes) its set must be exactly the types
 * GenericArgsInfo answers "yes" for; and a generator build nobody reviewed is left untouched.
 * (That the memo's output is the CLI's is prisma-worker-identity/-scale's business.)
 */

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call --
   Prisma's internal packages: no types. */

const registryDir = findPackageDir('@prisma/client-generator-registry', repoRoot)!;
// First, before anything else here loads the generator.
const renderers = loadReviewedGenerator(registryDir);
const fromRepo = createRequire(join(repoRoot, 'package.json'));
const { getDMMF } = fromRepo('@prisma/internals');
const { externalToInternalDmmf } = createRequire(join(registryDir, 'package.json'))('@prisma/client-generator-ts');

/** A Prisma schema of `count` related models, the shape of test/helpers/generated-schema.ts. */
function generatedSchema(count: number): string {
  const models = Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    const lines = [
      'id BigInt @id @default(autoincrement())',
      'title String @db.VarChar(200)',
      'amount Decimal @default(0) @db.Decimal(12, 2)',
      'quantity Int @default(0)',
      'ratio Float?',
      'is_active Boolean @default(true)',
      'due_on DateTime? @db.Date',
      'payload Json?',
      'status gen_status @default(draft)',
      'external_id String? @unique @db.Uuid',
      'tags String[]',
    ];
    if (n > 1) lines.push(`hub_id BigInt`, `hub m1 @relation("hub${n}", fields: [hub_id], references: [id])`);
    if (n > 2) lines.push(`previous_id BigInt?`, `previous m${n - 1}? @relation("prev${n}", fields: [previous_id], references: [id])`);
    if (n === 1) for (let k = 2; k <= count; k++) lines.push(`hub${k} m${k}[] @relation("hub${k}")`);
    if (n < count && n > 1) lines.push(`next m${n + 1}[] @relation("prev${n + 1}")`);
    return `model m${n} {\n  ${lines.join('\n  ')}\n}`;
  });
  return `datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n\nenum gen_status {\n  draft\n  active\n}\n\n${models.join('\n\n')}\n`;
}

describe('the generator memo', () => {
  it("this repository's Prisma generator is a reviewed build", () => {
    expect(typeof renderers, String(renderers as string)).toBe('object');
  });

  describe.each([
    ['the example project', () => readFileSync(join(repoRoot, 'prisma/schema.prisma'), 'utf8')],
    ['80 related models', () => generatedSchema(80)],
  ])('generic-args.ts on %s: exactly the types GenericArgsInfo answers yes for', (_label, schema) => {
    it('every input type', async () => {
      const { DMMFHelper, GenericArgsInfo } = renderers as Renderers;
      const dmmf = new DMMFHelper(externalToInternalDmmf(await getDMMF({ datamodel: schema() })));
      const byName = dmmf.inputTypesByName as Map<string, InputObjectType>;
      expect(byName.size).toBeGreaterThan(50);
      const restated = typesNeedingGenericArgument(byName);
      const library = new GenericArgsInfo(dmmf);
      const answers = [...byName.values()].map((type) => [type.name, library.typeNeedsGenericModelArg(type) as boolean]);
      expect(answers.filter(([, yes]) => yes).length).toBeGreaterThan(5);
      expect(answers).toEqual([...byName.values()].map((type) => [type.name, restated.has(type)]));
    });
  });

  describe('a generator build nobody reviewed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schemasync-memo-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('is not memoized, and says why', () => {
      const registry = join(dir, 'node_modules/@prisma/client-generator-registry');
      const generator = join(dir, 'node_modules/@prisma/client-generator-ts');
      mkdirSync(registry, { recursive: true });
      mkdirSync(join(generator, 'dist'), { recursive: true });
      writeFileSync(join(registry, 'package.json'), '{ "name": "@prisma/client-generator-registry", "version": "9.0.0" }');
      writeFileSync(join(generator, 'package.json'), '{ "name": "@prisma/client-generator-ts", "version": "9.0.0", "main": "dist/index.js" }');
      writeFileSync(join(generator, 'dist/index.js'), 'module.exports = { loaded: true };\n');
      const outcome = installGeneratorMemo(registry);
      expect(outcome).toMatch(/^this build of @prisma\/client-generator-ts \(sha256 [0-9a-f]{12}…\) is not one reviewed for reuse$/);
      // Nothing compiled or cached: the registry loads the package as it is.
      expect(createRequire(join(registry, 'package.json'))('@prisma/client-generator-ts')).toEqual({ loaded: true });
    });
  });
});
