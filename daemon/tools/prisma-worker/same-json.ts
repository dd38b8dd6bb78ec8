/**
 * Deep equality of JSON-shaped values (what JSON.parse gives, and object spreads of it): the same
 * own keys, in any order, with equal values; arrays element by element. Anything else that is an
 * object (a Map, a class instance) equals only itself. Pure; written for speed (it compares a
 * whole DMMF on every generate at 80 models: about a million values).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const isArray = Array.isArray(a);
  if (isArray !== Array.isArray(b)) return false;
  if (isArray) {
    const left = a as unknown[];
    const right = b as unknown[];
    if (left.length !== right.length) return false;
    for (let i = 0; i < left.length; i++) if (left[i] !== right[i] && !sameJson(left[i], right[i])) return false;
    return true;
  }
  const prototype: unknown = Object.getPrototypeOf(a);
  if ((prototype !== Object.prototype && prototype !== null) || Object.getPrototypeOf(b) !== prototype) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let keys = 0;
  for (const key in left) {
    const value = right[key];
    // undefined: absent from `right`, or present with undefined on both sides.
    if (value === undefined ? left[key] !== undefined || !Object.hasOwn(right, key) : left[key] !== value && !sameJson(left[key], value)) return false;
    keys++;
  }
  for (const _key in right) keys--;
  return keys === 0;
}
