import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';

import { typesNeedingGenericArgument } from './generic-args.ts';
import { modelReads, type ModelTypeNames } from './model-reads.ts';
import { sameJson } from './same-json.ts';

/**
 * The `prisma-client` generator renders every model file, and in it every input type, on each
 * generate (nine tenths of its time at 80 models), though a new table leaves almost all of them as
 * they were. Here its renderers (`Model`, `InputType`, `InputField`) answer from a memo keyed by
 * everything they read: the DMMF objects themselves, the `GenericArgsInfo` answers they ask for,
 * and the generator's options. An answer is the text the same code returned for an equal key, so
 * the client stays byte for byte the CLI's.
 *
 * Such a key is complete only for code that has been read: the generator's bundle must be one
 * reviewed below (by its sha256), or nothing is memoized and the generator runs untouched. Its
 * classes are module-private, so the bundle is compiled here with one line appended that hands
 * them out, and put in the require cache where the generator registry will find it.
 */

/** `@prisma/client-generator-ts/dist/index.js` as reviewed for model-reads.ts and generic-args.ts. */
const REVIEWED_GENERATORS = new Map([
  ['4a5017b1ccd8b6871b02b0113cc76ea461eece5fb0798c4179dd987eb6f9d439', '6.19.3'],
  // 6.19.3's renderers; a group-by payload type exported, one field more in an aggregate input type.
  ['54815837231b1cafad804b4662a198794ff73d2fbc51bf9b90eb88521858162b', '7.10.0'],
]);

const HANDLE = 'schemasync.generatorRenderers';
const NAMES: (keyof ModelTypeNames)[] = [
  'getAggregateName',
  'getCountOutputTypeName',
  'getGroupByName',
  'getAvgAggregateName',
  'getSumAggregateName',
  'getMinAggregateName',
  'getMaxAggregateName',
  'getCountAggregateOutputName',
];

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument --
   the generator's private classes: no types to check against. */
type Any = any;

/** What the reviewed bundle hands out: the renderers, its naming helpers, and (for tests) GenericArgsInfo. */
export interface Renderers {
  Model: Any;
  InputType: Any;
  InputField: Any;
  GenericArgsInfo: Any;
  DMMFHelper: Any;
  names: ModelTypeNames;
}

export interface GeneratorMemo {
  /** Call before each generate: what the last generate did not use is dropped. */
  beginRun(): void;
  /** Renderings since beginRun, by kind: `model.reused`, `model.rendered`, `inputType.reused` … */
  readonly counts: Record<string, number>;
}

/**
 * Installs the memo for the generator the registry at `registryDir` loads; call it before the
 * registry is required. Returns why it could not (the generator then runs as it is).
 */
export function installGeneratorMemo(registryDir: string): GeneratorMemo | string {
  const renderers = loadReviewedGenerator(registryDir);
  if (typeof renderers === 'string') return renderers;
  return memoized.get(renderers) ?? memoize(renderers);
}

/** One memo per loaded generator: a second install in the same process gets the first. */
const memoized = new WeakMap<Renderers, GeneratorMemo>();

/**
 * The generator the registry at `registryDir` loads, compiled with its renderers handed out, when
 * it is a reviewed build; else why not.
 */
export function loadReviewedGenerator(registryDir: string): Renderers | string {
  const fromRegistry = createRequire(path.join(registryDir, 'package.json'));
  let filename: string;
  try {
    filename = fromRegistry.resolve('@prisma/client-generator-ts');
  } catch {
    return '@prisma/client-generator-ts is not installed';
  }
  const cached: Any = fromRegistry.cache[filename];
  if (cached) return cached.exports[Symbol.for(HANDLE)] ?? 'the generator was loaded before the memo';
  const source = fs.readFileSync(filename, 'utf8');
  const hash = createHash('sha256').update(source).digest('hex');
  if (!REVIEWED_GENERATORS.has(hash)) return `this build of @prisma/client-generator-ts (sha256 ${hash.slice(0, 12)}…) is not one reviewed for reuse`;
  const module: Any = new Module(filename);
  module.filename = filename;
  module.paths = (Module as Any)._nodeModulePaths(path.dirname(filename));
  const handle = `{ Model, InputType, InputField, GenericArgsInfo, DMMFHelper, names: { ${NAMES.join(', ')} } }`;
  module._compile(`${source}\n;module.exports[Symbol.for(${JSON.stringify(HANDLE)})] = ${handle};\n`, filename);
  module.loaded = true;
  fromRegistry.cache[filename] = module;
  return module.exports[Symbol.for(HANDLE)];
}

/** One rendering: what it was rendered from, what else it read, and the text. */
interface Rendering {
  input: unknown;
  reads: string;
  text: string;
}

function memoize(renderers: Renderers): GeneratorMemo {
  const { Model, InputType, InputField, names } = renderers;
  const memo = renderingMemo();
  memoized.set(renderers, memo);
  const generics = genericsReads();

  const renderModel = Model.prototype.toTS;
  Model.prototype.toTS = function (this: Any): string {
    return memo.answer('model', this.model.name, modelReads(this, names), generics(this.context).reads, () => renderModel.call(this));
  };
  const renderType = InputType.prototype.toTS;
  InputType.prototype.toTS = function (this: Any): string {
    const { needing, known, reads } = generics(this.context);
    // The type's own answer; one built for the occasion (aggregates) is not in the map: asked.
    const own = known.has(this.type) ? needing.has(this.type) : this.context.genericArgsInfo.typeNeedsGenericModelArg(this.type);
    return memo.answer('inputType', this.type.name, this.type, (own ? 'g' : '') + reads, () => renderType.call(this));
  };
  const renderField = InputField.prototype.toTS;
  InputField.prototype.toTS = function (this: Any): string {
    const { field, source } = this;
    const key = `${source ?? ''}\0${field.name}\0${field.inputTypes.map((ref: Any) => ref.type).join('|')}`;
    return memo.answer('inputField', key, field, generics(this.context).reads, () => renderField.call(this));
  };
  return memo;
}

/**
 * Renderings by kind and a short lookup key (a name), each checked against what is about to be
 * rendered by deep equality: as exact as a content key, without serialising the DMMF (17 MB of
 * input types alone at 80 models) on every generate. Generational: what the last generate used
 * stays, anything older goes.
 */
function renderingMemo() {
  let current = new Map<string, Rendering[]>();
  let previous = new Map<string, Rendering[]>();
  const counts: Record<string, number> = {};
  const count = (name: string) => (counts[name] = (counts[name] ?? 0) + 1);
  return {
    counts,
    beginRun() {
      previous = current;
      current = new Map();
      for (const name of Object.keys(counts)) delete counts[name];
    },
    answer(kind: string, name: string, input: unknown, reads: string, render: () => string): string {
      const key = `${kind}\0${name}`;
      const matches = (r: Rendering) => r.reads === reads && sameJson(r.input, input);
      const kept = current.get(key);
      const found = kept?.find(matches);
      if (found) {
        count(`${kind}.reused`);
        return found.text;
      }
      const earlier = previous.get(key)?.find(matches);
      count(earlier ? `${kind}.reused` : `${kind}.rendered`);
      // Keeps this run's objects, so the last run's DMMF can go.
      const rendering = { input, reads, text: earlier?.text ?? render() };
      if (kept) kept.push(rendering);
      else current.set(key, [rendering]);
      return rendering.text;
    },
  };
}

/**
 * What the renderers read of GenericArgsInfo and the options, per generate: whether
 * strictUndefinedChecks is on, and which input types need the generic argument. A field's answers
 * follow from its references (in the object compared) and that set, so the key holds the set's
 * hash instead of an answer per reference.
 */
function genericsReads() {
  const byContext = new WeakMap<object, { needing: Set<unknown>; known: Set<unknown>; reads: string }>();
  return (ctx: Any) => {
    let found = byContext.get(ctx.genericArgsInfo);
    if (!found) {
      const byName = ctx.dmmf.inputTypesByName as Map<string, Any>;
      const needing: Set<unknown> = typesNeedingGenericArgument(byName);
      const names = [...byName].filter(([, type]) => needing.has(type)).map(([name]) => name);
      const strict = ctx.isPreviewFeatureOn('strictUndefinedChecks') ? 's' : '';
      found = { needing, known: new Set(byName.values()), reads: strict + createHash('sha256').update(names.join('\n')).digest('base64') };
      byContext.set(ctx.genericArgsInfo, found);
    }
    return found;
  };
}
