import { describe, expect, it } from 'vitest';

import { createDmmfReader } from '../../../../daemon/tools/prisma-worker/dmmf-reuse.ts';

/** A DMMF-shaped document: list elements at depth 4 (datamodel) and 5 (schema), tricky strings inside. */
function dmmf(models: Array<{ name: string; doc?: string }>, inputs: string[]): string {
  return JSON.stringify({
    datamodel: {
      enums: [{ name: 'status', values: [{ name: 'a', dbName: null }] }],
      models: models.map((m) => ({ name: m.name, documentation: m.doc, fields: [{ name: 'id', kind: 'scalar', isList: false }] })),
      types: [],
    },
    schema: {
      inputObjectTypes: {
        prisma: inputs.map((name) => ({ name, constraints: { maxNumFields: null }, fields: [{ name: 'AND', inputTypes: [{ type: name, isList: true }] }] })),
      },
      outputObjectTypes: { prisma: [{ name: 'Query', fields: models.map((m) => ({ name: `findMany${m.name}`, args: [] })) }], model: [] },
    },
    mappings: { modelOperations: models.map((m) => ({ model: m.name, findMany: `findMany${m.name}` })), otherOperations: { read: [], write: ['executeRaw'] } },
  });
}

/** What the tests read of a parsed document. */
interface Doc {
  datamodel: { models: Array<{ name: string; documentation?: string }> };
  schema: { inputObjectTypes: { prisma: Array<{ name: string; fields: object[] }> } };
}
type Nested = { a: { b: { c: object[] } } };
type Deep = { a: { b: { c: { d: { e: object[] } } } } };

describe('the DMMF reader', () => {
  it('gives what JSON.parse gives, for strings holding quotes, backslashes, brackets and braces', () => {
    const reader = createDmmfReader();
    const tricky = ['say "hi" {', 'back\\slash]', '\\"}]', 'line\nbreak [{', '\u0000nul', 'ünïcødé ✔', '\\\\'];
    const text = dmmf(
      tricky.map((doc, i) => ({ name: `M${i}`, doc })),
      ['AWhereInput', 'B"quoted"Input'],
    );
    expect(reader.parse(text)).toEqual(JSON.parse(text));
    // Again, now answered from the last parse.
    expect(reader.parse(text)).toEqual(JSON.parse(text));
    expect(reader.counts['dmmf.parsed']).toBe(0);
  });

  it('reuses the objects of unchanged items, and parses the changed and new ones', () => {
    const reader = createDmmfReader();
    const first = reader.parse(dmmf([{ name: 'User' }, { name: 'Post' }], ['UserWhereInput', 'PostWhereInput'])) as Doc;
    const second = reader.parse(
      dmmf([{ name: 'User', doc: 'now documented' }, { name: 'Post' }, { name: 'Tag' }], ['UserWhereInput', 'PostWhereInput', 'TagWhereInput']),
    ) as Doc;
    expect(second.datamodel.models[1]).toBe(first.datamodel.models[1]); // Post: unchanged
    expect(second.datamodel.models[0]).not.toBe(first.datamodel.models[0]); // User: documented
    expect(second.datamodel.models[0]!.documentation).toBe('now documented');
    expect(second.schema.inputObjectTypes.prisma[0]).toBe(first.schema.inputObjectTypes.prisma[0]);
    expect(second.schema.inputObjectTypes.prisma[2]!.name).toBe('TagWhereInput');
    // What is outside the items (the document, its lists) is new each time.
    expect(second.datamodel).not.toBe(first.datamodel);
    expect(second.datamodel.models).not.toBe(first.datamodel.models);
    expect(reader.counts['dmmf.reused']).toBeGreaterThan(0);
    expect(reader.counts['dmmf.parsed']).toBeGreaterThanOrEqual(5); // User, Tag, TagWhereInput, the Query type, Tag's mapping
  });

  it('an item twice in one document gets two objects, as from JSON.parse', () => {
    const reader = createDmmfReader();
    const text = JSON.stringify({ a: { b: { c: [{ same: 1 }, { same: 1 }] } } });
    reader.parse(text);
    const again = reader.parse(text) as Nested;
    expect(again.a.b.c[0]).toEqual({ same: 1 });
    expect(again.a.b.c[0]).not.toBe(again.a.b.c[1]);
  });

  it('items are list elements at most five deep: deeper ones are part of their item', () => {
    const reader = createDmmfReader();
    const deep = (n: number) => JSON.stringify({ a: { b: { c: { d: { e: [{ n }, { n: 0 }] } } } } });
    const first = reader.parse(deep(1)) as Deep;
    const second = reader.parse(deep(2)) as Deep;
    expect(second).toEqual(JSON.parse(deep(2)));
    expect(second.a.b.c.d.e[1]).not.toBe(first.a.b.c.d.e[1]); // at depth 6: parsed with its document
  });

  it('turned off, it is JSON.parse and keeps nothing', () => {
    const reader = createDmmfReader();
    const text = dmmf([{ name: 'User' }], ['UserWhereInput']);
    const first = reader.parse(text) as Doc;
    reader.enabled = false;
    const off = reader.parse(text) as Doc;
    expect(off).toEqual(first);
    expect(off.datamodel.models[0]).not.toBe(first.datamodel.models[0]);
    reader.enabled = true;
    expect((reader.parse(text) as Doc).datamodel.models[0]).not.toBe(first.datamodel.models[0]);
  });

  it('with freeze, what it hands out cannot be written to', () => {
    const reader = createDmmfReader({ freeze: true });
    const parsed = reader.parse(dmmf([{ name: 'User' }], ['UserWhereInput'])) as Doc;
    expect(Object.isFrozen(parsed)).toBe(true);
    expect(Object.isFrozen(parsed.schema.inputObjectTypes.prisma[0]!.fields[0])).toBe(true);
    expect(() => {
      parsed.datamodel.models[0]!.name = 'Other'; // modules are strict: a frozen object throws
    }).toThrow(TypeError);
  });

  it('a document that is not JSON fails as JSON.parse fails', () => {
    const reader = createDmmfReader();
    expect(() => reader.parse('{"a":{"b":{"c":[{"x":1}')).toThrow(SyntaxError);
    expect(() => reader.parse('{"a":[{"unterminated')).toThrow(SyntaxError);
  });
});
