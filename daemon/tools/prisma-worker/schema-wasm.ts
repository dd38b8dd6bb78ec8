import { createRequire } from 'node:module';
import path from 'node:path';

import type { DmmfReader } from './dmmf-reuse.ts';
import { findPackageDir } from './support.ts';

/**
 * The project's `@prisma/prisma-schema-wasm`, as the worker's Prisma calls it, with two calls
 * routed (its functions are pure: the same parameters, the same answer):
 * - `get_dmmf`: the JSON.parse that follows it, in the same synchronous step (in
 *   @prisma/internals for 6.x, @prisma/get-dmmf for 7.x), is the DMMF reader's (dmmf-reuse.ts);
 *   where the change allows, the wasm renders only the changed models and the reader splices
 *   them into the last DMMF (dmmf-splicer.ts).
 * - `get_config`: asked three times per save, twice of a schema text it has answered just before
 *   (~12 ms each at 80 models): the last answers are kept.
 */

/** get_config answers kept: the schema before a pull and the one after it. */
const CONFIGS_KEPT = 2;

const nativeParse = JSON.parse;
/** get_dmmf's answer when the DMMF is spliced: not JSON, so that a parse not routed fails loudly. */
const SPLICED = '<schemasync: spliced DMMF>';
/** On a routed module: the reader its get_dmmf hands to (the last routing's). */
const READER = Symbol('schemasync.dmmfReader');

/** Routes the wasm module(s) the project's Prisma at `internalsDir` calls; returns why it could not, or undefined. */
export function routeSchemaWasm(internalsDir: string, reader: DmmfReader): string | undefined {
  const callers = [internalsDir, findPackageDir('@prisma/get-dmmf', internalsDir)].filter((dir): dir is string => dir !== undefined);
  const modules = new Set<Record<string | symbol, unknown>>();
  for (const dir of callers) {
    try {
      modules.add(createRequire(path.join(dir, 'package.json'))('@prisma/prisma-schema-wasm') as Record<string | symbol, unknown>);
    } catch {
      // not a caller of its own in this version
    }
  }
  if (modules.size === 0) return '@prisma/prisma-schema-wasm is not installed';
  for (const wasm of modules) {
    if (typeof wasm.get_dmmf !== 'function' || typeof wasm.get_config !== 'function') return '@prisma/prisma-schema-wasm has no get_dmmf or get_config';
  }
  for (const wasm of modules) {
    const routed = READER in wasm;
    wasm[READER] = reader;
    if (routed) continue;
    const getDmmf = wasm.get_dmmf as (params: string) => unknown;
    wasm.get_dmmf = (params: string): unknown => {
      const reader = wasm[READER] as DmmfReader;
      const spliced = reader.splice(params, (whole) => getDmmf(whole) as string);
      if (spliced !== undefined) {
        // Only the routed parse below reads this text: it stands for the spliced DMMF.
        parseNextAs(SPLICED, () => spliced);
        return SPLICED;
      }
      const text = getDmmf(params);
      if (typeof text === 'string') parseNextAs(text, (source) => reader.parse(source, params));
      return text;
    };
    wasm.get_config = lastAnswers(wasm.get_config as (params: string) => unknown, CONFIGS_KEPT);
  }
  return undefined;
}

/** `call` answering from its last `kept` answers when asked with parameters equal to theirs. */
function lastAnswers(call: (params: string) => unknown, kept: number): (params: string) => unknown {
  const answers: { params: string; answer: unknown }[] = [];
  return (params) => {
    const known = answers.find((entry) => entry.params === params);
    if (known) return known.answer;
    const answer = call(params); // a throw is not kept
    answers.unshift({ params, answer });
    answers.length = Math.min(answers.length, kept);
    return answer;
  };
}

/** The next JSON.parse, when it is of `text`, is `parse`'s; JSON.parse is itself again after it, or after this tick. */
function parseNextAs(text: string, parse: (text: string) => unknown): void {
  const restore = () => {
    if (JSON.parse === once) JSON.parse = nativeParse;
  };
  const once = function (source: string, reviver?: Parameters<typeof JSON.parse>[1]): unknown {
    restore();
    return source === text && reviver === undefined ? parse(text) : nativeParse(source, reviver);
  };
  JSON.parse = once;
  queueMicrotask(restore);
}
