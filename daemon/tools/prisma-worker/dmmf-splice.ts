import {
  forEachType,
  groupingOf,
  list,
  operationModels,
  ownersOf,
  renderOrder,
  ROOTS,
  SCHEMA_LISTS,
  TypeIndex,
  upFrontEnums,
  type Item,
  type Json,
} from './dmmf-render-order.ts';
import { sameJson } from './same-json.ts';
import { fieldTypes, schemaBlocks, withoutFields, type SchemaBlock, type SchemaBlocks } from './schema-blocks.ts';

/**
 * The DMMF of a schema from the last one, where a change touches a few models: Prisma's wasm
 * renders just those (with the enums, generator and datasource, and the unchanged models related
 * to them as stubs: their own fields and their relations to changed models) — milliseconds, not
 * the ~0.3 s of 21 MB at 80 models — and the rest is the last DMMF's. A type's model is its
 * grouping, or whatever reaches it (ownersOf); a stub's types come from the last DMMF. Pure.
 *
 * The schema part's order is the engine's: its renderer walks the query schema breadth-first from
 * Query and Mutation (after the enums it renders up front), appending each type as it is reached,
 * so the order is rebuilt by walking the merged types the same way. Query and Mutation list each
 * model's operations in model order, as do the datamodel and the mappings. `fitsShape` checks all
 * of it against a whole DMMF before any splice is trusted; anything else answers undefined, and the
 * caller asks the wasm for the whole DMMF.
 */

export interface Dmmf {
  datamodel: Json;
  schema: Json;
  mappings: Json;
}

/** A schema and its DMMF. */
export interface DmmfOfSchema {
  schema: string;
  dmmf: Dmmf;
}

const KNOWN_KEYS: Record<string, string[]> = {
  top: ['datamodel', 'schema', 'mappings'],
  datamodel: ['enums', 'models', 'types', 'indexes'],
  schema: SCHEMA_LISTS,
  mappings: ['modelOperations', 'otherOperations'],
};

/**
 * `schema`'s DMMF from `last`'s, with `dmmfOf` asked for the changed models' only; or undefined.
 * `maxShare`: the part of the schema's models (changed ones and their stubs) past which the whole
 * DMMF is quicker (a change to a table most others point at renders most of the DMMF anyway).
 */
export function spliceDmmf(
  last: DmmfOfSchema,
  schema: string,
  dmmfOf: (schema: string) => Dmmf,
  { maxShare = 0.25 } = {},
): { dmmf: Dmmf; models: number } | undefined {
  const before = schemaBlocks(last.schema);
  const after = schemaBlocks(schema);
  if (!before || !after) return undefined;
  const change = changedModels(before, after);
  if (!change) return undefined;
  const { changed, stubs } = change;
  if (changed.size === 0) return { dmmf: last.dmmf, models: 0 };
  // An unchanged model related to a changed one stands in as a stub: its own fields and its
  // relations to changed models, so that theirs are rendered as in the whole schema. What the
  // stub's own parts render is taken from the last DMMF.
  const models = modelNames(after);
  if (changed.size + stubs.size > Math.max(4, models.length * maxShare)) return undefined;
  const isModel = new Set(models);
  const stub = (block: SchemaBlock) => withoutFields(block, (type) => isModel.has(type) && type !== block.name && !changed.has(type));
  const sub = dmmfOf(
    after.blocks
      .filter((b) => b.kind !== 'model' || changed.has(b.name) || stubs.has(b.name))
      .map((b) => (stubs.has(b.name) ? stub(b).text : b.text))
      .join('\n') + `\n${after.tail}`,
  );
  if (!knownKeys(sub)) return undefined;
  const dmmf = assemble(last.dmmf, sub, models, { fresh: (model) => changed.has(model), stub: (model) => stubs.has(model) });
  return dmmf && { dmmf, models: changed.size };
}

/**
 * Whether `dmmf` (the whole DMMF of `schema`) is laid out as spliceDmmf assumes: its order is
 * rebuilt exactly from its own parts. Asked once per Prisma version before trusting a splice;
 * undefined where `schema` cannot tell (one spliceDmmf does not take: views, a stray line).
 */
export function fitsShape({ schema, dmmf }: DmmfOfSchema): boolean | undefined {
  const blocks = schemaBlocks(schema);
  if (!blocks || blocks.blocks.some((b) => b.kind === 'view')) return undefined;
  if (!knownKeys(dmmf)) return false;
  const rebuilt = assemble(dmmf, dmmf, modelNames(blocks), { fresh: () => false, stub: () => false });
  // Lists compare in order; the rebuilt objects' keys are in `dmmf`'s order by construction.
  return rebuilt !== undefined && sameJson(rebuilt, dmmf);
}

/**
 * Models changed, added or removed, and the unchanged models related to them; undefined when
 * anything but models changed.
 */
function changedModels(before: SchemaBlocks, after: SchemaBlocks): { changed: Set<string>; stubs: Set<string> } | undefined {
  const others = (blocks: SchemaBlocks) => blocks.blocks.filter((b) => b.kind !== 'model').map((b) => b.text);
  if (before.tail !== after.tail || !sameJson(others(before), others(after))) return undefined;
  if ([...before.blocks, ...after.blocks].some((b) => b.kind === 'view')) return undefined;
  const old = modelBlocks(before);
  const now = modelBlocks(after);
  const changed = new Set<string>();
  for (const [name, block] of now) if (old.get(name)?.text !== block.text) changed.add(name);
  for (const name of old.keys()) if (!now.has(name)) changed.add(name);
  // Both ends of a relation are written out: an unchanged model related to a changed one before
  // the change still is after it.
  const related = (blocks: Map<string, SchemaBlock>) =>
    new Set([...changed].flatMap((name) => (blocks.get(name) ? fieldTypes(blocks.get(name)!) : [])).filter((type) => blocks.has(type) && !changed.has(type)));
  const stubs = related(now);
  return [...related(old)].every((name) => stubs.has(name)) ? { changed, stubs } : undefined;
}

function modelBlocks(blocks: SchemaBlocks): Map<string, SchemaBlock> {
  return new Map(blocks.blocks.filter((b) => b.kind === 'model').map((b) => [b.name, b]));
}

function modelNames(blocks: SchemaBlocks): string[] {
  return blocks.blocks.filter((b) => b.kind === 'model').map((b) => b.name);
}

function knownKeys(dmmf: Dmmf): boolean {
  const within = (value: unknown, known: string[]) => typeof value === 'object' && value !== null && Object.keys(value).every((k) => known.includes(k));
  return (
    within(dmmf, KNOWN_KEYS.top!) &&
    within(dmmf.datamodel, KNOWN_KEYS.datamodel!) &&
    within(dmmf.schema, KNOWN_KEYS.schema!) &&
    within(dmmf.mappings, KNOWN_KEYS.mappings!)
  );
}

/**
 * The new DMMF: each model's parts from `sub` where `fresh`, else from `last`, laid out as the
 * engine does. `stub`: a model in `sub` only as a stub, whose own types are not taken from it.
 */
function assemble(last: Dmmf, sub: Dmmf, models: string[], { fresh, stub }: Record<'fresh' | 'stub', (model: string) => boolean>): Dmmf | undefined {
  const pick = <T>(model: string, fromLast: Map<string, T>, fromSub: Map<string, T>) => (fresh(model) ? fromSub : fromLast).get(model);
  const keep = <T>(old: T | undefined, value: T): T => (old !== undefined && sameJson(old, value) ? old : value);

  const lastModels = byName(list(last.datamodel.models));
  const subModels = byName(list(sub.datamodel.models));
  const datamodelModels = models.map((m) => pick(m, lastModels, subModels));
  if (datamodelModels.some((m) => m === undefined)) return undefined;
  const lastIndexes = groupBy(list(last.datamodel.indexes), (i) => String(i.model));
  const subIndexes = groupBy(list(sub.datamodel.indexes), (i) => String(i.model));
  const lastEnums = byName(list(last.datamodel.enums));
  const lastTypes = byName(list(last.datamodel.types));
  const datamodel = rebuild(sub.datamodel, {
    enums: list(sub.datamodel.enums).map((e) => keep(lastEnums.get(e.name), e)),
    models: datamodelModels,
    types: list(sub.datamodel.types).map((t) => keep(lastTypes.get(t.name), t)),
    indexes: models.flatMap((m) => pick(m, lastIndexes, subIndexes) ?? []),
  });

  const lastOperations = byModel(list(last.mappings.modelOperations));
  const subOperations = byModel(list(sub.mappings.modelOperations));
  const mappings = rebuild(sub.mappings, {
    modelOperations: models.flatMap((m) => pick(m, lastOperations, subOperations) ?? []),
    otherOperations: keep(last.mappings.otherOperations, sub.mappings.otherOperations),
  });

  // A type several models use (a scalar filter) is grouped under the model whose use the engine
  // reached first: where that may have moved, it is grouped again as the walk reaches it.
  const types = TypeIndex.of(last.schema);
  const regroup = new Set<Item>();
  forEachType(last.schema, (_location, _namespace, item) => {
    const grouping = groupingOf(item);
    if (grouping !== undefined && fresh(grouping)) regroup.add(item);
  });
  const lastRoots = ROOTS.map((root) => types.get('outputObjectTypes', 'prisma', root));
  const owners = ownersOf(sub.schema, operationModels(sub.mappings.modelOperations));
  forEachType(sub.schema, (location, namespace, item) => {
    const owner = owners.get(item);
    if (owner !== undefined && stub(owner)) return;
    const old = types.get(location, namespace, item.name);
    const kept = keep(old, item);
    if (old !== undefined && groupingOf(old) !== groupingOf(item)) regroup.add(kept);
    else regroup.delete(kept);
    types.set(location, namespace, kept);
  });
  for (const [i, root] of ROOTS.entries()) {
    const fields = rootFields(last, root, models, fresh, sub);
    const shape = types.get('outputObjectTypes', 'prisma', root);
    if (!fields || !shape) return undefined;
    types.set('outputObjectTypes', 'prisma', keep(lastRoots[i], rebuild(shape, { fields }) as Item));
  }
  const schema = renderOrder(sub.schema, types, { firstEnums: upFrontEnums(sub.schema), regroup, modelOf: operationModels(mappings.modelOperations) });
  return schema && (rebuild(sub as unknown as Json, { datamodel, schema, mappings }) as unknown as Dmmf);
}

/** Query's or Mutation's fields: each model's operations in model order, then the rest (raw queries). */
function rootFields(last: Dmmf, root: string, models: string[], fresh: (model: string) => boolean, sub: Dmmf): Item[] | undefined {
  const lastGroups = operationFields(last, root);
  const subGroups = operationFields(sub, root);
  if (!lastGroups || !subGroups) return undefined;
  const fields: Item[] = [];
  for (const model of models) fields.push(...((fresh(model) ? subGroups : lastGroups).get(model) ?? []));
  return [...fields, ...(subGroups.get(undefined) ?? [])];
}

/** A root type's fields by the model they operate on (undefined: none); undefined unless the groups are contiguous. */
function operationFields(dmmf: Dmmf, root: string): Map<string | undefined, Item[]> | undefined {
  const modelOf = operationModels(dmmf.mappings.modelOperations);
  const rootType = list((dmmf.schema.outputObjectTypes as Record<string, unknown>).prisma).find((t) => t.name === root);
  if (!rootType) return undefined;
  const groups = new Map<string | undefined, Item[]>();
  let current: string | undefined | null = null;
  for (const field of list(rootType.fields)) {
    const model = modelOf.get(field.name);
    if (model !== current && groups.has(model)) return undefined;
    current = model;
    groups.set(model, [...(groups.get(model) ?? []), field]);
  }
  return groups;
}

function byName(items: Item[]): Map<string, Item> {
  return new Map(items.map((item) => [item.name, item]));
}

function byModel(items: Item[]): Map<string, Item> {
  return new Map(items.map((item) => [String(item.model), item]));
}

function groupBy(items: Item[], keyOf: (item: Item) => string): Map<string, Item[]> {
  const groups = new Map<string, Item[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}

/** A copy of `shape` (its keys in its order) with `values` in place of its own. */
function rebuild(shape: Json, values: Json): Json {
  return Object.fromEntries(Object.keys(shape).map((key) => [key, key in values ? values[key] : shape[key]]));
}
