/**
 * Which input types of the `prisma-client` generator's DMMF take the `<$PrismaModel>` generic
 * argument: `GenericArgsInfo.typeNeedsGenericModelArg` of `@prisma/client-generator-ts`, restated
 * for every type at once in one pass over the references (the generator asks type by type, and its
 * search walks the same types again for each question). Pure (a type's references are kept by
 * the type object, which is never written to).
 *
 * Its rule, as the reviewed source (generator-memo.ts fingerprints it) has it: a type needs the
 * argument when it has no `meta.source` and a field with a `fieldRefTypes` reference, or a
 * reference that resolves (by `namespace.name`, whatever its location) to a type that needs it.
 * A type with `meta.source` never does, and the search does not pass through it.
 */

export interface InputRef {
  type: string;
  namespace?: string | undefined;
  location: string;
}

export interface InputObjectType {
  name: string;
  meta?: { source?: string | undefined } | undefined;
  fields: readonly { inputTypes: readonly InputRef[] }[];
}

/** The types of the generator's `inputTypesByName` that need the generic argument. */
export function typesNeedingGenericArgument(inputTypesByName: ReadonlyMap<string, InputObjectType>): Set<InputObjectType> {
  // Resolution exactly as the generator's: the map, keyed `${namespace}.${type}` (or `type`).
  const resolved = new Map<string | undefined, Map<string, InputObjectType | undefined>>();
  const resolve = (ref: InputRef): InputObjectType | undefined => {
    let inNamespace = resolved.get(ref.namespace);
    if (!inNamespace) resolved.set(ref.namespace, (inNamespace = new Map<string, InputObjectType | undefined>()));
    if (!inNamespace.has(ref.type)) inNamespace.set(ref.type, inputTypesByName.get(ref.namespace ? `${ref.namespace}.${ref.type}` : ref.type));
    return inNamespace.get(ref.type);
  };

  const needs = new Set<InputObjectType>();
  const referencedBy = new Map<InputObjectType, InputObjectType[]>();
  for (const type of inputTypesByName.values()) {
    const { fieldRef, refs } = referencesOf(type);
    if (fieldRef) needs.add(type);
    for (const ref of refs) {
      const target = resolve(ref);
      if (!target || target.meta?.source) continue;
      const referrers = referencedBy.get(target);
      if (referrers) referrers.push(type);
      else referencedBy.set(target, [type]);
    }
  }
  // Backwards from the types holding a field reference, through types without meta.source.
  const pending = [...needs];
  for (let type = pending.pop(); type; type = pending.pop()) {
    for (const referrer of referencedBy.get(type) ?? []) {
      if (needs.has(referrer)) continue;
      needs.add(referrer);
      pending.push(referrer);
    }
  }
  return needs;
}

/** What a type's fields reference, by type object: the DMMF's objects outlive a generate (dmmf-reuse.ts) and nothing writes to them. */
const references = new WeakMap<InputObjectType, { fieldRef: boolean; refs: InputRef[] }>();

/** Whether a type (without `meta.source`) has a field reference, and its other references. */
function referencesOf(type: InputObjectType): { fieldRef: boolean; refs: InputRef[] } {
  let found = references.get(type);
  if (!found) {
    found = { fieldRef: false, refs: [] };
    if (!type.meta?.source) {
      for (const field of type.fields) {
        for (const ref of field.inputTypes) {
          if (ref.location === 'fieldRefTypes') found.fieldRef = true;
          else found.refs.push(ref);
        }
      }
    }
    references.set(type, found);
  }
  return found;
}
