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

/**
 * GenericArgsInfo answers a rendering asked for, by type reference (`location\0namespace\0type`):
 * its text holds for as long as each is still the same.
 */
type Asks = Map<string, boolean>;

/** One rendering: what it was rendered from, what else it read, and the text. */
interface Rendering {
  input: unknown;
  reads: string;
  asks: Asks;
  text: string;
}

function memoize(renderers: Renderers): GeneratorMemo {
  const { Model, InputType, InputField, GenericArgsInfo, names } = renderers;
  const asked = askLog();
  const memo = renderingMemo(asked);
  memoized.set(renderers, memo);
  const generics = genericsReads();

  // Every answer a renderer reads of GenericArgsInfo comes through here (buildSingleFieldType),
  // but InputType's own, which is in its key: so a type new to the schema (the first Bytes
  // column's filters) renders again only the renderings that ask about it.
  const askRef = GenericArgsInfo.prototype.typeRefNeedsGenericModelArg;
  GenericArgsInfo.prototype.typeRefNeedsGenericModelArg = function (this: Any, ref: Any): boolean {
    const answer: boolean = askRef.call(this, ref);
    asked.note(refKey(ref), answer);
    return answer;
  };
  const renderModel = Model.prototype.toTS;
  Model.prototype.toTS = function (this: Any): string {
    const now = generics(this.context);
    return memo.answer('model', this.model.name, modelReads(this, names), now.strict, now, () => renderModel.call(this));
  };
  const renderType = InputType.prototype.toTS;
  InputType.prototype.toTS = function (this: Any): string {
    const now = generics(this.context);
    // The type's own answer; one built for the occasion (aggregates) is not in the map: asked.
    const own = now.known.has(this.type) ? now.needing.has(this.type) : this.context.genericArgsInfo.typeNeedsGenericModelArg(this.type);
    return memo.answer('inputType', this.type.name, this.type, (own ? 'g' : '') + now.strict, now, () => renderType.call(this));
  };
  const renderField = InputField.prototype.toTS;
  InputField.prototype.toTS = function (this: Any): string {
    const { field, source } = this;
    const key = `${source ?? ''}\0${field.name}\0${field.inputTypes.map((ref: Any) => ref.type).join('|')}`;
    const now = generics(this.context);
    return memo.answer('inputField', key, field, now.strict, now, () => renderField.call(this));
  };
  return memo;
}

const refKey = (ref: Any): string => `${ref.location}\0${ref.namespace ?? ''}\0${ref.type}`;

/**
 * The GenericArgsInfo answers asked while renderings are made, by rendering: a rendering's own
 * and those of the renderings inside it (its text holds theirs), whether made or reused.
 */
function askLog() {
  const open: Asks[] = [];
  return {
    note(key: string, answer: boolean) {
      open.at(-1)?.set(key, answer);
    },
    /** Counts `asks` in the rendering being made, if any (one reused inside it). */
    include(asks: Asks) {
      const into = open.at(-1);
      if (into) for (const [key, answer] of asks) into.set(key, answer);
    },
    /** Runs `render`, returning its text and what it asked. */
    during(render: () => string): { text: string; asks: Asks } {
      const asks: Asks = new Map();
      open.push(asks);
      let text: string;
      try {
        text = render();
      } finally {
        open.pop();
      }
      this.include(asks);
      return { text, asks };
    },
  };
}

/**
 * Renderings by kind and a short lookup key (a name), each checked against what is about to be
 * rendered by deep equality, and by the GenericArgsInfo answers it asked for: as exact as a
 * content key, without serialising the DMMF (17 MB of input types alone at 80 models) on every
 * generate. Generational: what the last generate used stays, anything older goes.
 */
function renderingMemo(asked: ReturnType<typeof askLog>) {
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
    answer(kind: string, name: string, input: unknown, reads: string, now: GenericsNow, render: () => string): string {
      const key = `${kind}\0${name}`;
      const matches = (r: Rendering) => r.reads === reads && sameJson(r.input, input) && now.holds(r.asks);
      const kept = current.get(key);
      const found = kept?.find(matches);
      if (found) {
        count(`${kind}.reused`);
        asked.include(found.asks);
        return found.text;
      }
      const earlier = previous.get(key)?.find(matches);
      count(earlier ? `${kind}.reused` : `${kind}.rendered`);
      if (earlier) asked.include(earlier.asks);
      const made = earlier ?? asked.during(render);
      // Keeps this run's objects, so the last run's DMMF can go.
      const rendering = { input, reads, asks: made.asks, text: made.text };
      if (kept) kept.push(rendering);
      else current.set(key, [rendering]);
      return rendering.text;
    },
  };
}

/** GenericArgsInfo as it answers in one generate. */
interface GenericsNow {
  /** The input types of the DMMF that need the generic argument, and all of them. */
  needing: Set<unknown>;
  known: Set<unknown>;
  /** Whether strictUndefinedChecks is on ('s') or not (''). */
  strict: string;
  /** Whether each of `asks` is answered the same now. */
  holds(asks: Asks): boolean;
}

/**
 * What the renderers read of GenericArgsInfo and the options, per generate: whether
 * strictUndefinedChecks is on, and which input types need the generic argument (generic-args.ts
 * restates GenericArgsInfo in one pass; its own search is quadratic).
 */
function genericsReads() {
  const byContext = new WeakMap<object, GenericsNow>();
  return (ctx: Any): GenericsNow => {
    let found = byContext.get(ctx.genericArgsInfo);
    if (!found) {
      const byName = ctx.dmmf.inputTypesByName as Map<string, Any>;
      const needing: Set<unknown> = typesNeedingGenericArgument(byName);
      const answers = new Map<string, boolean>();
      // typeRefNeedsGenericModelArg, answered from `needing`.
      const answer = (key: string): boolean => {
        const [location, namespace, type] = key.split('\0');
        if (location === 'fieldRefTypes') return true;
        const resolved: unknown = ctx.dmmf.resolveInputObjectType({ location, namespace: namespace || undefined, type });
        return resolved !== undefined && needing.has(resolved);
      };
      const holds = (asks: Asks): boolean => {
        for (const [key, was] of asks) {
          let is = answers.get(key);
          if (is === undefined) answers.set(key, (is = answer(key)));
          if (is !== was) return false;
        }
        return true;
      };
      found = { needing, known: new Set(byName.values()), strict: ctx.isPreviewFeatureOn('strictUndefinedChecks') ? 's' : '', holds };
      byContext.set(ctx.genericArgsInfo, found);
    }
    return found;
  };
}
