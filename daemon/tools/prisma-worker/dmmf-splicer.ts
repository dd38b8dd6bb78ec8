import { fitsShape, spliceDmmf, type Dmmf, type DmmfOfSchema } from './dmmf-splice.ts';

/**
 * get_dmmf's answers by difference (dmmf-splice.ts): the last DMMF and its schema are kept, and
 * the next is spliced from them where the change allows. Splicing starts only after a whole DMMF
 * from the wasm has been checked to be laid out as the splice assumes (`fitsShape`, once).
 * With `checkWith` (the test suite sets SCHEMASYNC_CHECK_SPLICE=1), every splice is compared with
 * the wasm's whole DMMF, and a difference throws.
 */
export interface DmmfSplicer {
  /** The DMMF get_dmmf would answer to `params`, spliced; undefined where it cannot be. */
  splice(params: string, getDmmf: (params: string) => string): unknown;
  /** The DMMF get_dmmf answered to `params` (parsed), kept for the next splice. */
  remember(params: string, dmmf: unknown): void;
  forget(): void;
  /** Models the last splice had the wasm render, or -1 when the last DMMF was whole. */
  readonly lastSplice: number;
}

interface Params {
  prismaSchema: string | [string, string][];
  [key: string]: unknown;
}

/** `checkWith`: parses the wasm's whole DMMF, to check each splice against. */
export function createDmmfSplicer({ checkWith }: { checkWith?: ((text: string) => unknown) | undefined } = {}): DmmfSplicer {
  let last: DmmfOfSchema | undefined;
  let shapeFits: boolean | undefined;
  let lastSplice = -1;

  return {
    splice(params, getDmmf) {
      lastSplice = -1;
      const request = parseParams(params);
      const schema = request && schemaText(request);
      if (!last || !shapeFits || request === undefined || schema === undefined) return undefined;
      const dmmfOf = (text: string): Dmmf => JSON.parse(getDmmf(withSchema(request, text))) as Dmmf;
      let spliced: ReturnType<typeof spliceDmmf>;
      try {
        spliced = spliceDmmf(last, schema, dmmfOf);
      } catch {
        return undefined; // the schema's own errors are the whole get_dmmf's to report
      }
      if (!spliced) return undefined;
      if (checkWith) {
        const difference = firstDifference(spliced.dmmf, checkWith(getDmmf(params)));
        if (difference) throw new Error(`the spliced DMMF differs from Prisma's at ${difference}`);
      }
      last = { schema, dmmf: spliced.dmmf };
      lastSplice = spliced.models;
      return spliced.dmmf;
    },
    remember(params, dmmf) {
      const request = parseParams(params);
      const schema = request && schemaText(request);
      last = schema === undefined ? undefined : { schema, dmmf: dmmf as Dmmf };
      if (last && shapeFits === undefined) shapeFits = fitsShape(last); // stays undefined where this schema cannot tell
    },
    forget() {
      last = undefined;
    },
    get lastSplice() {
      return lastSplice;
    },
  };
}

function parseParams(params: string): Params | undefined {
  try {
    const parsed = JSON.parse(params) as Params;
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The schema's text when it is one file (a schema folder is not spliced). */
function schemaText({ prismaSchema }: Params): string | undefined {
  if (typeof prismaSchema === 'string') return prismaSchema;
  if (Array.isArray(prismaSchema) && prismaSchema.length === 1 && typeof prismaSchema[0]?.[1] === 'string') return prismaSchema[0][1];
  return undefined;
}

function withSchema(request: Params, text: string): string {
  const prismaSchema = typeof request.prismaSchema === 'string' ? text : [[request.prismaSchema[0]![0], text]];
  return JSON.stringify({ ...request, prismaSchema });
}

/** Where `a` and `b` (JSON values) first differ, as a path; undefined when they are equal, keys in the same order. */
function firstDifference(a: unknown, b: unknown, path = 'dmmf'): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b))
    return `${path}: ${JSON.stringify(a)?.slice(0, 200)} ≠ ${JSON.stringify(b)?.slice(0, 200)}`;
  const keys = Object.keys(a);
  const otherKeys = Object.keys(b);
  if (keys.join() !== otherKeys.join()) return `${path}: keys ${keys.join()} ≠ ${otherKeys.join()}`;
  for (const key of keys) {
    const left = (a as Record<string, unknown>)[key];
    const right = (b as Record<string, unknown>)[key];
    const named = (value: unknown) => (typeof value === 'object' && value !== null && 'name' in value ? `(${String(value.name)})` : '');
    const difference = firstDifference(left, right, `${path}.${key}${named(left)}`);
    if (difference) return difference;
  }
  return undefined;
}
