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
  getCreateManyAndReturnOutputType(model: string): string;
  getUpdateManyAndReturnOutputType(model: string): string;
  getAggregateName(model: string): string;
  getCountOutputTypeName(model: string): string;
  getGroupByName(model: string): string;
  getAvgAggregateName(model: string): string;
  getSumAggregateName(model: string): string;
  getMinAggregateName(model: string): string;
  getMaxAggregateName(model: string): string;
  getCountAggregateOutputName(model: string): string;
}

/** Lookups the generator makes with `Array.find` (first match), made once per DMMF. */
interface FirstMatches {
  modelOperation: Map<string, unknown>;
  query: Map<string, unknown>;
  mutation: Map<string, unknown>;
  output: Map<string, Map<string, unknown>>;
  /** `inputObjectTypes.prisma` by `meta.grouping`, in order: what `filter` by grouping gives. */
  grouped: Map<unknown, unknown[]>;
}

const firstMatchesOf = new WeakMap<object, FirstMatches>();

function byFirstName(list: readonly Any[] | undefined, key = 'name'): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const item of list ?? []) if (!map.has(item[key])) map.set(item[key], item);
  return map;
}

function firstMatches(dmmf: Any): FirstMatches {
  let found = firstMatchesOf.get(dmmf);
  if (!found) {
    const outputs = dmmf.outputObjectTypes as Record<string, Any[] | undefined>;
    found = {
      modelOperation: byFirstName(dmmf.mappings.modelOperations, 'model'),
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
    firstMatchesOf.set(dmmf, found);
  }
  return found;
}

/** What rendering the model `name` with `context` (a GenerateContext) reads. */
export function modelReads(name: string, context: Any, names: ModelTypeNames): unknown {
  const dmmf = context.dmmf;
  const first = firstMatches(dmmf);
  const type = dmmf.outputTypeMap.model[name];
  // Model takes the first modelOperations entry; ModelDelegate and getModelActions the keyed map's.
  const mapping: Any = first.modelOperation.get(name);
  const mapped: Any = dmmf.mappingsMap[name];
  const rootFieldNames = new Set([...Object.values(mapping ?? {}), ...Object.values(mapped ?? {})].filter((v): v is string => typeof v === 'string'));
  const prismaOutput = (typeName: string) => dmmf.outputTypeMap.prisma[typeName];
  return [
    name,
    dmmf.typeAndModelMap[name],
    [...dmmf.compositeNames],
    type,
    dmmf.outputTypeMap.model[names.getCreateManyAndReturnOutputType(name)],
    dmmf.outputTypeMap.model[names.getUpdateManyAndReturnOutputType(name)],
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
