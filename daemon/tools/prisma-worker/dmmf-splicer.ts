import { fitsShape, spliceDmmf, type Dmmf, type DmmfOfSchema } from './dmmf-splice.ts';

/**
 * get_dmmf's answers by difference (dmmf-splice.ts): the last DMMF and its schema are kept, and
 * the next is spliced from them where the change allows. Splicing starts only after a whole DMMF
 * from the wasm has been checked to be laid out as the splice assumes (`fitsShape`, once).
 * SCHEMASYNC_CHECK_SPLICE=1 (the test suite sets it): every splice is compared with the wasm's
 * whole DMMF, and a difference throws.
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

export function createDmmfSplicer({ check = process.env.SCHEMASYNC_CHECK_SPLICE === '1' } = {}): DmmfSplicer {
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
      if (check) compareWithWhole(spliced.dmmf, getDmmf(params));
      last = { schema, dmmf: spliced.dmmf };
      lastSplice = spliced.models;
      return spliced.dmmf;
    },
    remember(params, dmmf) {
      const request = parseParams(params);
      const schema = request && schemaText(request);
      last = schema === undefined ? undefined : { schema, dmmf: dmmf as Dmmf };
      if (last && shapeFits === undefined) shapeFits = fitsShape(last);
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

function compareWithWhole(spliced: Dmmf, wholeText: string): void {
  const whole = JSON.stringify(JSON.parse(wholeText));
  const mine = JSON.stringify(spliced);
  if (mine === whole) return;
  let at = 0;
  while (mine[at] === whole[at]) at++;
  throw new Error(
    `the spliced DMMF differs from Prisma's at character ${at}: …${mine.slice(at - 120, at + 80)}… where Prisma's has …${whole.slice(at - 120, at + 80)}…`,
  );
}
