import { describe, expect, it } from 'vitest';

import { fieldTypes, schemaBlocks } from '../../../../daemon/tools/prisma-worker/schema-blocks.ts';

const schema = `generator client {
  provider = "prisma-client"
}

datasource db {
  provider = "postgresql"
}

/// A team.
model team {
  id    String @id @db.Uuid
  users users[] // its members
  // name String
  @@map("teams")
}

enum role {
  admin
}

model users {
  id      String @id @db.Uuid
  team_id String @db.Uuid
  team    team   @relation(fields: [team_id], references: [id])
  role    role?
}
`;

describe('a schema file as its blocks', () => {
  it('splits it into blocks, each with the text before it, which join back into the file', () => {
    const split = schemaBlocks(schema)!;
    expect(split.blocks.map((b) => `${b.kind} ${b.name}`)).toEqual(['generator client', 'datasource db', 'model team', 'enum role', 'model users']);
    expect(split.blocks[2]!.text.startsWith('\n/// A team.\nmodel team {')).toBe(true);
    expect([...split.blocks.map((b) => b.text), split.tail].join('\n')).toBe(schema);
  });

  it('reads the types a model’s fields name, not its comments or attributes', () => {
    const [, , team, , users] = schemaBlocks(schema)!.blocks;
    expect(fieldTypes(team!)).toEqual(['String', 'users']);
    expect(fieldTypes(users!)).toEqual(['String', 'String', 'team', 'role']);
  });

  it('does not split a file with a line outside any block, or a block left open', () => {
    expect(schemaBlocks(`${schema}stray words\n`)).toBeUndefined();
    expect(schemaBlocks('model a {\n  id Int @id\n')).toBeUndefined();
  });
});
