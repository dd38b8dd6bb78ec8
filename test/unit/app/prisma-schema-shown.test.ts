import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { expect, it } from 'vitest';

import { prismaSchemaShown } from '../../../daemon/app/tools.ts';

it('the start-up summary names a schema file, or a schema folder with its count of .prisma files', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'schemasync-shown-'));
  try {
    await mkdir(path.join(root, 'prisma', 'schema', 'billing'), { recursive: true });
    for (const name of ['schema.prisma', 'users.prisma', 'billing/invoices.prisma', 'README.md'])
      await writeFile(path.join(root, 'prisma', 'schema', name), '');
    expect(prismaSchemaShown(path.join(root, 'prisma', 'schema'), root)).toBe('prisma/schema/ (schema folder, 3 files)');
    expect(prismaSchemaShown(path.join(root, 'prisma', 'schema', 'schema.prisma'), root)).toBe('prisma/schema/schema.prisma');
    expect(prismaSchemaShown(path.join(root, 'nowhere'), root)).toBe('nowhere');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
