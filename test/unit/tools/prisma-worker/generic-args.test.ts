import { describe, expect, it } from 'vitest';

import { typesNeedingGenericArgument, type InputObjectType, type InputRef } from '../../../../daemon/tools/prisma-worker/generic-args.ts';

/** A map as the generator's inputTypesByName keys it: `prisma.<name>`. */
function graph(types: Record<string, { source?: string; refs: (string | InputRef)[] }>): Map<string, InputObjectType> {
  const ref = (r: string | InputRef): InputRef => (typeof r === 'string' ? { type: r, namespace: 'prisma', location: 'inputObjectTypes' } : r);
  return new Map(
    Object.entries(types).map(([name, { source, refs }]) => [
      `prisma.${name}`,
      { name, meta: source ? { source } : undefined, fields: refs.map((r) => ({ inputTypes: [ref(r)] })) },
    ]),
  );
}
const needing = (types: Map<string, InputObjectType>) =>
  [...types]
    .filter(([, type]) => typesNeedingGenericArgument(types).has(type))
    .map(([name]) => name)
    .sort();

const fieldRef: InputRef = { type: 'IntFieldRefInput', namespace: 'prisma', location: 'fieldRefTypes' };

describe('typesNeedingGenericArgument (GenericArgsInfo.typeNeedsGenericModelArg for every type)', () => {
  it('a type with a field reference, and every type that reaches one', () => {
    const types = graph({
      IntFilter: { refs: [{ type: 'Int', location: 'scalar' }, fieldRef] },
      NestedIntFilter: { refs: ['IntFilter'] },
      IntWithAggregatesFilter: { refs: ['NestedIntFilter'] },
      Plain: { refs: [{ type: 'String', location: 'scalar' }] },
    });
    expect(needing(types)).toEqual(['prisma.IntFilter', 'prisma.IntWithAggregatesFilter', 'prisma.NestedIntFilter']);
  });

  it('a type with meta.source never needs it, and the search does not pass through it', () => {
    const types = graph({
      IntFilter: { refs: [fieldRef] },
      UserWhereInput: { source: 'User', refs: ['IntFilter'] },
      UserCreateInput: { refs: ['UserWhereInput'] },
      HasOwnRef: { source: 'Post', refs: [fieldRef] },
    });
    expect(needing(types)).toEqual(['prisma.IntFilter']);
  });

  it('cycles: reached or not', () => {
    const types = graph({
      A: { refs: ['B'] },
      B: { refs: ['A', 'C'] },
      C: { refs: [fieldRef] },
      D: { refs: ['E'] },
      E: { refs: ['D'] },
    });
    expect(needing(types)).toEqual(['prisma.A', 'prisma.B', 'prisma.C']);
  });

  it('resolves every reference by `namespace.type`, whatever its location, as the generator does; unknown names are no edge', () => {
    const types = graph({
      Seed: { refs: [fieldRef] },
      ByEnumLocation: { refs: [{ type: 'Seed', namespace: 'prisma', location: 'enumTypes' }] },
      OtherNamespace: { refs: [{ type: 'Seed', namespace: 'model', location: 'inputObjectTypes' }] },
      NoNamespace: { refs: [{ type: 'Seed', location: 'inputObjectTypes' }] },
      Dotted: { refs: [{ type: 'prisma.Seed', location: 'inputObjectTypes' }] },
      Missing: { refs: ['Nowhere'] },
    });
    expect(needing(types)).toEqual(['prisma.ByEnumLocation', 'prisma.Dotted', 'prisma.Seed']);
  });
});
