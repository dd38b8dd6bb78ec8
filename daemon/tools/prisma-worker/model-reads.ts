/**
 * Everything the `prisma-client` generator's `Model.toTS()` (one `models/<Model>.ts`) reads, as one
 * JSON-shaped value: when it deep-equals the value of an earlier run, so does the file. Read from
 * the reviewed generator (generator-memo.ts pins it by hash): Model, ArgsTypeBuilder, Count,
 * Output, Payload, SelectIncludeOmit, ModelFieldRefs, ModelDelegate, the JSDoc templates and the
 * naming helpers, and what they call. GenericArgsInfo's answers and the preview features are the
 * caller's part of the key. Pure (reads the DMMF helper's lazily built maps).
 */

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument --
   the generator's DMMF helper and context: no types to check against. */
type Any = any;

/** The generator's own naming helpers (src/utils.ts), so names are made exactly as it makes them. */
export interface ModelTypeNames {
  getAggregateName(model: string): string;
  getCountOutputTypeName(model: string): string;
  getGroupByName(model: string): string;
  getAvgAggregateName(model: string): string;
  getSumAggregateName(model: string): string;
  getMinAggregateName(model: string): string;
  getMaxAggregateName(model: string): string;
  getCountAggregateOutputName(model: string): string;
}

/** Lookups made once per DMMF: first matches where the generator uses `Array.find`, groups where it filters. */
interface Lookups {
  query: Map<string, unknown>;
  mutation: Map<string, unknown>;
  output: Map<string, Map<string, unknown>>;
  /** `inputObjectTypes.prisma` by `meta.grouping`, in order: what `filter` by grouping gives. */
  grouped: Map<unknown, unknown[]>;
}

const lookupsOf = new WeakMap<object, Lookups>();

function byFirstName(list: readonly Any[] | undefined): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const item of list ?? []) if (!map.has(item.name)) map.set(item.name, item);
  return map;
}

function lookups(dmmf: Any): Lookups {
  let found = lookupsOf.get(dmmf);
  if (!found) {
    const outputs = dmmf.outputObjectTypes as Record<string, Any[] | undefined>;
    found = {
      query: byFirstName(dmmf.outputTypeMap.prisma.Query?.fields),
      mutation: byFirstName(dmmf.outputTypeMap.prisma.Mutation?.fields),
      output: new Map(Object.entries(outputs).map(([namespace, types]) => [namespace, byFirstName(types)])),
      grouped: new Map(),
    };
    for (const input of dmmf.inputObjectTypes.prisma ?? []) {
      const group = found.grouped.get(input.meta?.grouping);
      if (group) group.push(input);
      else found.grouped.set(input.meta?.grouping, [input]);
    }
    lookupsOf.set(dmmf, found);
  }
  return found;
}

/**
 * What `model.toTS()` reads, for a generator `Model`: what its constructor looked up (the
 * datamodel model, its output types, its first modelOperations entry) and what toTS looks up.
 */
export function modelReads(model: Any, names: ModelTypeNames): unknown {
  const { context, type, mapping } = model;
  const name: string = model.model.name;
  const dmmf = context.dmmf;
  const first = lookups(dmmf);
  // ModelDelegate and getModelActions take the keyed map's entry, which may be another one.
  const mapped: Any = dmmf.mappingsMap[name];
  const rootFieldNames = new Set([...Object.values(mapping ?? {}), ...Object.values(mapped ?? {})].filter((v): v is string => typeof v === 'string'));
  const prismaOutput = (typeName: string) => dmmf.outputTypeMap.prisma[typeName];
  return [
    model.model,
    dmmf.typeAndModelMap[name],
    [...dmmf.compositeNames],
    type,
    model.createManyAndReturnType,
    model.updateManyAndReturnType,
    mapping,
    mapped,
    [...rootFieldNames].map((field) => [dmmf.rootFieldMap[field], first.query.get(field), first.mutation.get(field)]),
    (
      [
        'getAggregateName',
        'getAvgAggregateName',
        'getSumAggregateName',
        'getMinAggregateName',
        'getMaxAggregateName',
        'getCountAggregateOutputName',
        'getGroupByName',
      ] as const
    ).map((nameOf) => prismaOutput(names[nameOf](name))),
    dmmf.inputObjectTypes.prisma && (first.grouped.get(name) ?? []),
    dmmf.schema.outputObjectTypes.prisma?.filter((output: Any) => output.name === names.getCountOutputTypeName(name)),
    // ArgsTypeBuilder for each field with arguments reads, of the output type it resolves to, the
    // name and whether it has relation fields (it gets no action, so no JSDoc of its fields).
    (type?.fields ?? [])
      .filter((field: Any) => field.args.length > 0 && field.outputType.location === 'outputObjectTypes')
      .map((field: Any) => first.output.get(field.outputType.namespace ?? 'prisma')?.get(field.outputType.type))
      .map((output: Any) => output && [output.name, output.fields.some((f: Any) => f.outputType.location === 'outputObjectTypes')]),
    // The file's header and imports, and the preview features.
    [context.runtimeBase, context.runtimeImport, context.outputFileName('x'), context.importFileName('x'), context.generator],
  ];
}
