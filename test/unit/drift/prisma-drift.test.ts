import { describe, expect, it } from 'vitest';

import { prismaClientFindings, prismaSchemaFindings, sameLayoutAside } from '../../../daemon/drift/prisma.ts';
import { KIND_TITLES } from '../../../daemon/drift/report.ts';
import { checksum } from '../../../daemon/migrations/checksum.ts';

const SCHEMA = ['model users {', '  id    String @id', '  email String', '}', ''].join('\n');
const EDITED = ['model users {', '  id    String @id', '  email String', '  nick  String?', '}', ''].join('\n');

describe('prismaSchemaFindings', () => {
  it('finds nothing when the file is what db pull prints', () => {
    expect(prismaSchemaFindings('prisma/schema.prisma', SCHEMA, `${SCHEMA}\n\n`)).toEqual([]);
  });

  it('reports a hand edit with file, first line, hint and a short diff', () => {
    const [finding, ...rest] = prismaSchemaFindings('prisma/schema.prisma', EDITED, SCHEMA);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      kind: 'prisma-schema',
      file: 'prisma/schema.prisma',
      line: 4,
    });
    expect(finding!.message).toContain('differs from what `prisma db pull` gives for the database (first difference at line 4)');
    expect(finding!.hint).toContain('new migration');
    expect(finding!.detail).toContain('--- prisma/schema.prisma\n+++ prisma db pull --print\n@@ -2,4 +2,3 @@');
    expect(finding!.detail).toContain('\n-  nick  String?\n');
  });

  it('does not take an empty pull for drift', () => {
    expect(prismaSchemaFindings('prisma/schema.prisma', SCHEMA, '\n')).toEqual([]);
  });
});

describe('prismaClientFindings', () => {
  const file = 'prisma/schema.prisma';

  it('finds nothing when the client embeds the current schema', () => {
    expect(prismaClientFindings(file, SCHEMA, [{ output: 'generated/prisma', exists: true, schema: SCHEMA }])).toEqual([]);
  });

  it('reports a client generated from an older schema, with the difference', () => {
    const [finding] = prismaClientFindings(file, EDITED, [{ output: 'generated/prisma', exists: true, schema: SCHEMA }]);
    expect(finding).toMatchObject({
      kind: 'prisma-client',
      key: 'prisma-client:generated/prisma',
      file,
      line: 4,
    });
    expect(finding!.message).toBe('the Prisma client in generated/prisma was generated from an older prisma/schema.prisma (first difference at line 4)');
    expect(finding!.hint).toContain('prisma generate');
  });

  it('finds nothing when schema.prisma differs from the embedded (formatted) schema in layout only', () => {
    const unformatted = `${SCHEMA.replace(/ {2,}/g, '\t ')}\n\n`;
    expect(unformatted).not.toBe(SCHEMA);
    expect(prismaClientFindings(file, unformatted, [{ output: 'generated/prisma', exists: true, schema: SCHEMA }])).toEqual([]);
  });

  it('still reports a change inside a string literal, however small', () => {
    expect(sameLayoutAside('x String @default("a  b")\n', 'x  String  @default("a b")\n')).toBe(false);
    expect(sameLayoutAside('x String @default("a  b")\n', 'x  String  @default("a  b")\n\n\n')).toBe(true);
  });

  it('reports a client that was never generated', () => {
    const [finding] = prismaClientFindings(file, SCHEMA, [{ output: 'generated/prisma', exists: false }]);
    expect(finding!.message).toBe('the Prisma client in generated/prisma has not been generated from prisma/schema.prisma');
  });

  it("falls back to schemasync's memory when the client does not embed its schema", () => {
    const client = { output: 'node_modules/.prisma/client', exists: true };
    expect(prismaClientFindings(file, SCHEMA, [client], checksum(SCHEMA))).toEqual([]);
    expect(prismaClientFindings(file, EDITED, [client], checksum(SCHEMA))).toHaveLength(1);
    expect(prismaClientFindings(file, EDITED, [client], undefined)).toEqual([]);
  });
});

describe('a database change not pulled yet is not "edited by hand"', () => {
  const current = 'model users {\n  id Int @id\n}\n';
  const printed = 'model users {\n  id Int @id\n  nickname String?\n}\n';

  it('after `up` alone (the catalog changed since the last pull): prisma-unpulled, naming `schemasync sync`', () => {
    const [finding] = prismaSchemaFindings('prisma/schema.prisma', current, printed, true);
    expect(finding?.kind).toBe('prisma-unpulled');
    expect(finding?.hint).toContain('schemasync sync');
    expect(KIND_TITLES[finding!.kind]).toBe('Prisma schema not pulled since the database changed');
  });

  it('the database unchanged since the last pull: a hand edit; unknown: the hint names `schemasync sync` too', () => {
    expect(prismaSchemaFindings('prisma/schema.prisma', current, printed, false)[0]?.kind).toBe('prisma-schema');
    expect(prismaSchemaFindings('prisma/schema.prisma', current, printed, false)[0]?.hint).not.toContain('schemasync sync');
    expect(prismaSchemaFindings('prisma/schema.prisma', current, printed)[0]?.hint).toContain('schemasync sync');
  });
});
