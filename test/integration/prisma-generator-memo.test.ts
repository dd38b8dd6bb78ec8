import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { installGeneratorMemo, loadReviewedGenerator, type Renderers } from '../../daemon/tools/prisma-worker/generator-memo.ts';
import { typesNeedingGenericArgument, type InputObjectType } from '../../daemon/tools/prisma-worker/generic-args.ts';
import { findPackageDir } from '../../daemon/tools/prisma-worker/support.ts';
import { repoRoot } from '../helpers/project.ts';
import { relatedModelsSchema } from '../helpers/prisma-schema-text.ts';

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

describe('the generator memo', () => {
  it("this repository's Prisma generator is a reviewed build", () => {
    expect(typeof renderers, String(renderers as string)).toBe('object');
  });

  describe.each([
    ['the example project', () => readFileSync(join(repoRoot, 'prisma/schema.prisma'), 'utf8')],
    ['80 related models', () => relatedModelsSchema(80)],
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
