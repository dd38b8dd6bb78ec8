import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { folderClientFindings, folderSchemaFindings, schemaBlocks, type SchemaFolder } from '../../../daemon/drift/prisma-folder.ts';
import { checksum } from '../../../daemon/migrations/checksum.ts';
import { schemaText } from '../../../daemon/tools/prisma-schema.ts';

const ROOT = '/nonexistent-project';
const MAIN = 'generator client {\n  provider = "prisma-client"\n}\n';
const USERS = 'model users {\n  id    Int    @id\n  email String\n}\n';
const SPACES = '/// A tenant.\nmodel spaces {\n  id Int @id\n}\n';

function folderOf(files: Record<string, string>): SchemaFolder {
  return {
    schema: path.join(ROOT, 'prisma/schema'),
    projectRoot: ROOT,
    files: Object.entries(files).map(([name, text]) => ({ path: path.join(ROOT, 'prisma/schema', name), text })),
  };
}
const folder = folderOf({ 'schema.prisma': MAIN, 'spaces.prisma': SPACES, 'users.prisma': USERS });
const printed = (files: Record<string, string>) => schemaText(folderOf(files).files, ROOT);

describe('folderSchemaFindings', () => {
  it('none when the print is the folder', () => {
    expect(folderSchemaFindings(folder, printed({ 'schema.prisma': MAIN, 'spaces.prisma': SPACES, 'users.prisma': USERS }))).toEqual([]);
  });

  it('a hand-edited model file, named with its line', () => {
    const edited = folderOf({
      'schema.prisma': MAIN,
      'spaces.prisma': SPACES,
      'users.prisma': USERS.replace('  email String\n', '  email String\n  nickname String?\n'),
    });
    const findings = folderSchemaFindings(edited, printed({ 'schema.prisma': MAIN, 'spaces.prisma': SPACES, 'users.prisma': USERS }), false);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'prisma-schema', file: 'prisma/schema/users.prisma', line: 4 });
  });

  it('an unpulled new table is named by the file the pull would write (introspected.prisma); a dropped one by its emptied file', () => {
    const pulled = printed({ 'introspected.prisma': 'model gizmos {\n  id Int @id\n}\n', 'schema.prisma': MAIN, 'spaces.prisma': '\n', 'users.prisma': USERS });
    const findings = folderSchemaFindings(folder, pulled, true);
    expect(findings.map((f) => [f.kind, f.file])).toEqual([
      ['prisma-unpulled', 'prisma/schema/introspected.prisma'],
      ['prisma-unpulled', 'prisma/schema/spaces.prisma'],
    ]);
  });

  it('a print of one file names the folder’s only file', () => {
    const one = folderOf({ 'schema.prisma': MAIN });
    expect(folderSchemaFindings(one, `${MAIN}${USERS}`)[0]).toMatchObject({ file: 'prisma/schema/schema.prisma' });
  });
});

describe('folderClientFindings', () => {
  // The client embeds the folder merged and reformatted, in the order the folder was listed.
  const merged = `${USERS.replace('id    Int    @id', 'id Int @id')}\n${SPACES}\n${MAIN}`;
  const client = { output: 'generated/prisma', exists: true, schema: merged };

  it('none when every block of every file is in the client, layout and order aside', () => {
    expect(schemaBlocks(merged)).toHaveLength(3);
    expect(folderClientFindings(folder, '', [client])).toEqual([]);
  });

  it('a file edited since the client was generated is named', () => {
    const edited = folderOf({ 'schema.prisma': MAIN, 'spaces.prisma': SPACES.replace('A tenant', 'An org'), 'users.prisma': USERS });
    const [finding, ...rest] = folderClientFindings(edited, '', [client]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      kind: 'prisma-client',
      file: 'prisma/schema/spaces.prisma',
      message: 'the Prisma client in generated/prisma was generated from an older prisma/schema/spaces.prisma',
    });
  });

  it('a model removed from the files but still in the client names the folder', () => {
    const fewer = folderOf({ 'schema.prisma': MAIN, 'users.prisma': USERS });
    expect(folderClientFindings(fewer, '', [client])[0]).toMatchObject({ file: 'prisma/schema' });
  });

  it('a missing client, and a client without its schema compared through the remembered text', () => {
    expect(folderClientFindings(folder, '', [{ output: 'generated/prisma', exists: false }])[0]?.message).toBe(
      'the Prisma client in generated/prisma has not been generated from prisma/schema/',
    );
    const opaque = { output: 'node_modules/.prisma/client', exists: true };
    expect(folderClientFindings(folder, 'now', [opaque], checksum('now'))).toEqual([]);
    expect(folderClientFindings(folder, 'now', [opaque], checksum('before'))).toHaveLength(1);
  });
});
