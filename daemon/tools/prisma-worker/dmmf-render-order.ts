/**
 * The order of a DMMF's schema part, as Prisma's engine renders it (dmmf-splice.ts): the enums
 * no type refers to first, then breadth-first from Query and Mutation, pass by pass — each type's
 * fields' argument types, input types and output type marked for the next pass where not yet
 * rendered, the type itself appended to its list once its fields are done. Pure.
 */

export type Json = Record<string, unknown>;
export type Item = Json & { name: string };

export const SCHEMA_LISTS = ['inputObjectTypes', 'outputObjectTypes', 'enumTypes', 'fieldRefTypes'];
export const ROOTS = ['Query', 'Mutation'];

/** A schema part's types by location, namespace and name. */
export class TypeIndex {
  private readonly byLocation = new Map<string, Map<string, Map<string, Item>>>();

  static of(schema: Json): TypeIndex {
    const index = new TypeIndex();
    forEachType(schema, (location, namespace, item) => index.set(location, namespace, item));
    return index;
  }

  get(location: string, namespace: string, name: string): Item | undefined {
    return this.byLocation.get(location)?.get(namespace)?.get(name);
  }

  set(location: string, namespace: string, item: Item): void {
    let namespaces = this.byLocation.get(location);
    if (!namespaces) this.byLocation.set(location, (namespaces = new Map<string, Map<string, Item>>()));
    let names = namespaces.get(namespace);
    if (!names) namespaces.set(namespace, (names = new Map<string, Item>()));
    names.set(item.name, item);
  }
}

export function forEachType(schema: Json, visit: (location: string, namespace: string, item: Item) => void): void {
  for (const location of SCHEMA_LISTS)
    for (const [namespace, items] of Object.entries((schema[location] ?? {}) as Record<string, unknown>))
      for (const item of list(items)) visit(location, namespace, item);
}

/** A type reference in a field: `{ type, namespace, location }`. */
interface Reference {
  type: string;
  namespace: string;
  location: string;
}

/** The references `item` holds, in the engine's order: each field's argument types, its input types, its output type. */
function forEachReference(item: Item, visit: (reference: Reference, field: string) => void): void {
  const refer = (references: unknown, field: string) => {
    for (const reference of list(references)) if (reference.location !== 'scalar') visit(reference as unknown as Reference, field);
  };
  for (const field of list(item.fields)) {
    for (const arg of list(field.args)) refer(arg.inputTypes, field.name);
    refer(field.inputTypes, field.name);
    if (field.outputType) refer([field.outputType], field.name);
  }
  refer(item.allowTypes, '');
}

/** The enums the engine renders before walking from the roots: those no type of `schema` refers to. */
export function upFrontEnums(schema: Json): { namespace: string; name: string }[] {
  const index = TypeIndex.of(schema);
  const referred = new Set<Item | undefined>();
  forEachType(schema, (_location, _namespace, item) => forEachReference(item, (r) => void referred.add(index.get(r.location, r.namespace, r.type))));
  const enums: { namespace: string; name: string }[] = [];
  forEachType(schema, (location, namespace, item) => {
    if (location === 'enumTypes' && !referred.has(item)) enums.push({ namespace, name: item.name });
  });
  return enums;
}

export interface RenderOptions {
  /** Enums rendered first, in this order (upFrontEnums). */
  firstEnums: { namespace: string; name: string }[];
  /** Types grouped again: each takes the grouping of the type that first refers to it. */
  regroup: Set<Item>;
  /** Query's and Mutation's fields' models (for a type they refer to first). */
  modelOf: Map<string, string>;
}

/** The schema part of `types`, laid out as the engine does, with `shape`'s keys; undefined if a reference is missing. */
export function renderOrder(shape: Json, types: TypeIndex, { firstEnums, regroup, modelOf }: RenderOptions): Json | undefined {
  const lists: Record<string, Record<string, Item[]>> = {};
  const rendered = new Set<Item>();
  const firstGrouping = new Map<Item, string | undefined>();
  const append = (location: string, namespace: string, item: Item) => ((lists[location] ??= {})[namespace] ??= []).push(item);
  for (const { namespace, name } of firstEnums) {
    const item = types.get('enumTypes', namespace, name);
    if (!item) return undefined;
    append('enumTypes', namespace, item);
    rendered.add(item);
  }
  const roots = ROOTS.map((root) => types.get('outputObjectTypes', 'prisma', root));
  if (roots.some((root) => !root)) return undefined;
  let pass = roots.map((item) => ({ location: 'outputObjectTypes', namespace: 'prisma', item: item! }));
  while (pass.length > 0) {
    const next: typeof pass = [];
    for (const { location, namespace, item } of pass) {
      if (rendered.has(item)) continue;
      let rendering = item;
      if (regroup.has(item)) {
        const grouping = firstGrouping.get(item);
        if (grouping === undefined) return undefined;
        rendering = { ...item, meta: { ...(item.meta as Json), grouping } };
      }
      const own = groupingOf(rendering);
      const isRoot = roots.includes(item);
      // Marked before its fields, appended after them: a type reached from itself is not queued again.
      rendered.add(item);
      let missing = false;
      forEachReference(rendering, (reference, field) => {
        const target = types.get(reference.location, reference.namespace, reference.type);
        if (!target) missing = true;
        else if (!rendered.has(target)) {
          next.push({ location: reference.location, namespace: reference.namespace, item: target });
          if (!firstGrouping.has(target)) firstGrouping.set(target, isRoot ? modelOf.get(field) : own);
        }
      });
      if (missing) return undefined;
      append(location, namespace, rendering);
    }
    pass = next;
  }
  return Object.fromEntries(Object.keys(shape).map((location) => [location, lists[location] ?? {}]));
}

/**
 * The model each type of `schema` belongs to, as far as it tells: an input type's grouping, a
 * model's own output type's name, else the model of the Query or Mutation field (`modelOf`) or of the
 * type that reaches it first. Shared types (a scalar filter) get whichever model reached them first.
 */
export function ownersOf(schema: Json, modelOf: Map<string, string>): Map<Item, string | undefined> {
  const types = TypeIndex.of(schema);
  const owners = new Map<Item, string | undefined>();
  const models = new Set(modelOf.values());
  const roots = ROOTS.flatMap((root) => types.get('outputObjectTypes', 'prisma', root) ?? []);
  let pass = roots;
  while (pass.length > 0) {
    const next: Item[] = [];
    for (const item of pass) {
      const isRoot = roots.includes(item);
      forEachReference(item, (reference, field) => {
        const target = types.get(reference.location, reference.namespace, reference.type);
        if (!target || owners.has(target) || roots.includes(target)) return;
        const owner =
          reference.location === 'outputObjectTypes' && models.has(reference.type)
            ? reference.type
            : (groupingOf(target) ?? (isRoot ? modelOf.get(field) : owners.get(item)));
        owners.set(target, owner);
        next.push(target);
      });
    }
    pass = next;
  }
  return owners;
}

/** Query's and Mutation's field names by the model they operate on (DMMF mappings' `modelOperations`). */
export function operationModels(modelOperations: unknown): Map<string, string> {
  const modelOf = new Map<string, string>();
  for (const operations of list(modelOperations))
    for (const [tag, field] of Object.entries(operations)) if (tag !== 'model') modelOf.set(String(field), String(operations.model));
  return modelOf;
}

export function groupingOf(item: Item): string | undefined {
  const meta = item.meta as Json | undefined;
  return typeof meta?.grouping === 'string' ? meta.grouping : undefined;
}

export function list(value: unknown): Item[] {
  return Array.isArray(value) ? (value as Item[]) : [];
}
