import { describe, expect, it } from 'vitest';

import { sameJson } from '../../../../daemon/tools/prisma-worker/same-json.ts';

describe('sameJson', () => {
  it('is deep equality of what JSON.parse gives, key order aside', () => {
    const a = JSON.parse(
      '{"name":"A","fields":[{"name":"id","inputTypes":[{"type":"Int","location":"scalar","isList":false}]}],"meta":{"source":"A"}}',
    ) as unknown;
    const b = JSON.parse(
      '{"meta":{"source":"A"},"fields":[{"inputTypes":[{"isList":false,"location":"scalar","type":"Int"}],"name":"id"}],"name":"A"}',
    ) as unknown;
    expect(sameJson(a, b)).toBe(true);
    expect(sameJson([1, 'x', null, true], [1, 'x', null, true])).toBe(true);
  });

  it('sees any difference: a value, a missing or extra key, array length and order, type', () => {
    expect(sameJson({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson([1], [1, 1])).toBe(false);
    expect(sameJson({ 0: 'a' }, ['a'])).toBe(false);
    expect(sameJson('1', 1)).toBe(false);
    expect(sameJson(null, {})).toBe(false);
    expect(sameJson({ a: { b: [{ c: 1 }] } }, { a: { b: [{ c: '1' }] } })).toBe(false);
  });

  it('tells a key present with undefined (an object spread) from an absent one', () => {
    expect(sameJson({ a: 1, comment: undefined }, { a: 1, comment: undefined })).toBe(true);
    expect(sameJson({ a: 1, comment: undefined }, { a: 1, other: undefined })).toBe(false);
    expect(sameJson({ a: 1, comment: undefined }, { a: 1 })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, comment: undefined })).toBe(false);
  });

  it('compares only plain objects by content: a Map or a class instance equals only itself', () => {
    const map = new Map([['a', 1]]);
    expect(sameJson(map, new Map([['a', 2]]))).toBe(false);
    expect(sameJson(map, map)).toBe(true);
    expect(sameJson(new Date(0), new Date(0))).toBe(false);
    expect(sameJson(Object.assign(Object.create(null) as object, { a: 1 }), Object.assign(Object.create(null) as object, { a: 1 }))).toBe(true);
  });
});
