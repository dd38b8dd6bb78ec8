import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  isPrismaSchemaPath,
  readPrismaSchemaFiles,
  schemaGeneratorOutputs,
  schemaName,
  schemaSections,
  schemaText,
} from '../../../daemon/tools/prisma-schema.ts';

describe('a Prisma schema read as Prisma reads it', () => {
  let root: string;
  let folder: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'schemasync-prisma-schema-'));
    folder = path.join(root, 'prisma/schema');
    await mkdir(path.join(folder, 'billing'), { recursive: true });
    await writeFile(path.join(folder, 'schema.prisma'), 'generator client {\n  provider = "prisma-client"\n  output   = "../../generated/prisma"\n}\n');
    await writeFile(path.join(folder, 'users.prisma'), 'model users {\n  id Int @id\n}\n');
    await writeFile(path.join(folder, 'billing/invoices.prisma'), 'model invoices {\n  id Int @id\n}\n');
    await writeFile(path.join(folder, 'empty.prisma'), '\n');
    await writeFile(path.join(folder, 'README.md'), '# not a schema\n');
    await mkdir(path.join(root, 'shared'));
    await writeFile(path.join(root, 'shared/audit.prisma'), 'model audit {\n  id Int @id\n}\n');
    await symlink(path.join(root, 'shared'), path.join(folder, 'shared'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('a folder: every .prisma file below it, symlinks followed to their real path, sorted by path', async () => {
    const files = await readPrismaSchemaFiles(folder);
    expect(files.map((f) => path.relative(root, f.path))).toEqual([
      'prisma/schema/billing/invoices.prisma',
      'prisma/schema/empty.prisma',
      'prisma/schema/schema.prisma',
      'prisma/schema/users.prisma',
      'shared/audit.prisma',
    ]);
    expect(schemaName(folder, root, files)).toBe('prisma/schema/');
    // Each generator's output against its own file's folder.
    expect(schemaGeneratorOutputs(files)).toEqual([path.join(root, 'generated/prisma')]);
  });

  it('one text, as `prisma db pull --print` prints the folder, and back into its files', async () => {
    const files = await readPrismaSchemaFiles(folder);
    const text = schemaText(files, root);
    expect(text.startsWith('// prisma/schema/billing/invoices.prisma\nmodel invoices {\n')).toBe(true);
    expect(text).toContain('}\n\n// prisma/schema/empty.prisma\n\n\n// prisma/schema/schema.prisma\n');
    expect(text.endsWith('// shared/audit.prisma\nmodel audit {\n  id Int @id\n}\n')).toBe(true);
    const sections = schemaSections(text, folder, root);
    expect(sections).toEqual(new Map(files.map((f) => [path.relative(root, f.path), f.text])));
  });

  it('a single file is its own text; a print without file lines is the folder’s only file', async () => {
    const single = path.join(root, 'single.prisma');
    await writeFile(single, 'model a {\n  id Int @id\n}\n');
    const files = await readPrismaSchemaFiles(single);
    expect(schemaText(files, root)).toBe('model a {\n  id Int @id\n}\n');
    expect(schemaName(single, root, files)).toBe('single.prisma');
    expect(schemaSections('model a {}\n', folder, root, path.join(folder, 'schema.prisma'))).toEqual(
      new Map([['prisma/schema/schema.prisma', 'model a {}\n']]),
    );
  });

  it('a missing schema throws as reading a missing file does', async () => {
    await expect(readPrismaSchemaFiles(path.join(root, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('which changed paths belong to the schema', () => {
    expect(isPrismaSchemaPath('/p/prisma/schema.prisma', '/p/prisma/schema.prisma')).toBe(true);
    expect(isPrismaSchemaPath('/p/prisma/schema', '/p/prisma/schema/a/b.prisma')).toBe(true);
    expect(isPrismaSchemaPath('/p/prisma/schema', '/p/prisma/schema/notes.md')).toBe(false);
    expect(isPrismaSchemaPath('/p/prisma/schema', '/p/prisma/schema-old/a.prisma')).toBe(false);
  });
});
