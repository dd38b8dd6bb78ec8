import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { fitsShape, spliceDmmf, type Dmmf } from '../../daemon/tools/prisma-worker/dmmf-splice.ts';
import { findPackageDir } from '../../daemon/tools/prisma-worker/support.ts';
import { relatedModelsSchema } from '../helpers/prisma-schema-text.ts';
import { repoRoot } from '../helpers/project.ts';

/**
 * The DMMF splice (dmmf-splice.ts) against Prisma's own wasm, this repository's Prisma 6 and the
 * Prisma 7 fixture's: for every change it takes on, the spliced DMMF is Prisma's whole DMMF — the
 * same values in the same order, keys included — on the 80 related models and on a real project's
 * pulled schema (thunderdome's shape: uuid keys, `@@schema`), with and without unchanged models
 * standing in as stubs; every other change is left to the whole get_dmmf (undefined).
 */

type GetDmmf = (schema: string) => string;

function wasmOf(packageRoot: string): GetDmmf {
  const internalsDir = findPackageDir('@prisma/internals', packageRoot)!;
  const wasm = createRequire(join(internalsDir, 'package.json'))('@prisma/prisma-schema-wasm') as { get_dmmf(params: string): string };
  return (schema) => wasm.get_dmmf(JSON.stringify({ prismaSchema: schema, noColor: true }));
}

const GENERATOR = 'generator client {\n  provider = "prisma-client"\n  output   = "../generated/prisma"\n}\n\n';
/** `url`: the datasource names its URL (Prisma 6; Prisma 7 takes it from its config). */
const datasource = (url: boolean) => `datasource db {\n  provider = "postgresql"${url ? '\n  url      = env("DATABASE_URL")' : ''}\n  schemas  = ["app"]\n}\n`;

/** A pulled multi-schema project's shape: uuid keys, relations both ways, an enum, `@@schema`. */
function projectSchema(url: boolean): string {
  const model = (name: string, lines: string[]) => `\nmodel ${name} {\n  ${[...lines, '', '@@schema("app")'].join('\n  ')}\n}\n`;
  return [
    GENERATOR + datasource(url),
    '\nenum role {\n  admin\n  member\n\n  @@schema("app")\n}\n',
    model('team', [
      'id String @id @default(dbgenerated("gen_random_uuid()")) @db.Uuid',
      'name String @db.VarChar(256)',
      'created_date DateTime @default(now()) @db.Timestamptz(6)',
      'team_user team_user[]',
    ]),
    model('team_user', [
      'team_id String @db.Uuid',
      'user_id String @db.Uuid',
      'role role @default(member)',
      'team team @relation(fields: [team_id], references: [id], onDelete: Cascade, onUpdate: NoAction)',
      'users users @relation(fields: [user_id], references: [id], onDelete: Cascade, onUpdate: NoAction)',
      '',
      '@@id([team_id, user_id])',
    ]),
    model('users', [
      'id String @id @default(dbgenerated("gen_random_uuid()")) @db.Uuid',
      'email String? @unique @db.VarChar(320)',
      'verified Boolean @default(false)',
      'team_user team_user[]',
    ]),
  ].join('');
}

const plain = (name: string, schema = '') =>
  `\nmodel ${name} {\n  id         BigInt   @id @default(autoincrement())\n  name       String\n  created_at DateTime @default(now()) @db.Timestamptz(6)${schema}\n}\n`;
const rich = (schema = '') =>
  `\nmodel aa_rich {\n  id   Int      @id\n  data Bytes?\n  doc  Json\n  cost Decimal? @db.Decimal(10, 2)\n  nums Float[]\n  ref  String   @unique @db.Uuid${schema}\n}\n`;
const pair = (schema = '') =>
  `\nmodel zz_a {\n  id Int    @id\n  bs zz_b[]${schema}\n}\n\nmodel zz_b {\n  id   Int  @id\n  a_id Int\n  a    zz_a @relation(fields: [a_id], references: [id])${schema}\n}\n`;

/** Closed changes of `base` (each touches only models whose relations stay among themselves). */
function closedChanges(base: string, schema = ''): Array<[string, string, string]> {
  const withPlain = base + plain('zz_plain', schema);
  const first = base.replace(
    /\nmodel /,
    `\nmodel aaa_first {\n  id      BigInt  @id\n  title   String  @db.VarChar(200)\n  payload Json?${schema}\n}\n\nmodel `,
  );
  return [
    ['a table added', base, withPlain],
    ['a table of column types new to the schema', base, base + rich(schema)],
    ['a table dropped', withPlain, base],
    [
      'a column added and one made optional',
      withPlain,
      withPlain.replace('  name       String\n', '  name       String?\n  extra      Int      @default(0)\n'),
    ],
    ['two related tables added', base, base + pair(schema)],
    ['a table placed first, the group of the filters it uses moving to it', base, first],
    ['that first table dropped, the filters grouped under their next user again', first, base],
    ['two tables added and one dropped at once', withPlain, base + rich(schema) + plain('zz_other', schema)],
  ];
}

/** `line` added as the first field of `model`. */
const withField = (schema: string, model: string, line: string) => schema.replace(new RegExp(`\\nmodel ${model} \\{\\n`), (opening) => `${opening}  ${line}\n`);

/** Changes reaching unchanged models (`target`, whose key is of `keyType`): those stand in as stubs. */
function changesWithStubs(base: string, target: string, keyType: string, schema = ''): Array<[string, string, string]> {
  const fk = `\nmodel zz_fk {\n  id   Int    @id\n  t_id ${keyType}\n  t    ${target} @relation(fields: [t_id], references: [id])${schema}\n}\n`;
  const withFk = withField(base, target, 'zz_fk zz_fk[]') + fk;
  return [
    [`a table with a foreign key to ${target}`, base, withFk],
    ['that table dropped', withFk, base],
    ['a column on that table', withFk, withFk.replace('  t_id ', '  note String?\n  t_id ')],
    [`a column on ${target}, which has relations`, base, withField(base, target, 'zz_note String?')],
  ];
}

const prismas: Array<[string, GetDmmf | string, boolean]> = [
  ['Prisma 6', wasmOf(repoRoot), true],
  [
    'Prisma 7',
    existsSync(join(repoRoot, 'test/fixtures/prisma7/node_modules/@prisma/internals'))
      ? wasmOf(join(repoRoot, 'test/fixtures/prisma7'))
      : 'test/fixtures/prisma7 is not installed (npm ci --prefer-offline --ignore-scripts --prefix test/fixtures/prisma7)',
    false,
  ],
];

describe.each(prismas)('the DMMF spliced from the last one (%s)', (_label, getDmmf, url) => {
  if (typeof getDmmf === 'string') {
    it('needs the Prisma 7 fixture', () => {
      throw new Error(getDmmf);
    });
    return;
  }
  const parse = (schema: string) => JSON.parse(getDmmf(schema)) as Dmmf;
  const spliced = (before: string, after: string, options?: { maxShare: number }) => {
    const asked: string[] = [];
    const result = spliceDmmf({ schema: before, dmmf: parse(before) }, after, (schema) => (asked.push(schema), parse(schema)), options);
    return { result, asked };
  };
  const related = GENERATOR + relatedModelsSchema(80, { url });
  const project = projectSchema(url);
  const schemas: Array<[string, string, string]> = [
    ['80 related models', related, ''],
    ['a multi-schema project', project, '\n  @@schema("app")'],
  ];

  it.each(schemas)('the whole DMMF of %s is laid out as the splice assumes', (_name, schema) => {
    expect(fitsShape({ schema, dmmf: parse(schema) })).toBe(true);
  });

  for (const [name, base, schema] of schemas) {
    it.each(closedChanges(base, schema))(`${name}: %s — Prisma's whole DMMF, the wasm asked for the changed models only`, (_change, before, after) => {
      const { result, asked } = spliced(before, after);
      expect(result).toBeDefined();
      expect(JSON.stringify(result!.dmmf)).toBe(JSON.stringify(parse(after)));
      // One wasm call, of the models added or changed (a dropped one is only counted).
      expect(asked).toHaveLength(1);
      const modelsOf = (text: string) => new Set(text.match(/^model \w+ \{[^}]*\}/gm));
      const unchanged = modelsOf(before);
      const renderedAgain = [...modelsOf(after)].filter((model) => !unchanged.has(model));
      expect([...modelsOf(asked[0]!)].sort()).toEqual(renderedAgain.sort());
    });
  }

  it.each([...changesWithStubs(related, 'm3', 'BigInt'), ...changesWithStubs(project, 'users', 'String @db.Uuid', '\n  @@schema("app")')])(
    "%s — Prisma's whole DMMF, the models related to the change as stubs",
    (_change, before, after) => {
      const { result } = spliced(before, after);
      expect(result).toBeDefined();
      expect(JSON.stringify(result!.dmmf)).toBe(JSON.stringify(parse(after)));
    },
  );

  it('a change reaching most models (a column on the table every other points at): the whole DMMF, quicker then', () => {
    const after = withField(related, 'm1', 'zz_note String?');
    expect(spliced(related, after).result).toBeUndefined();
    expect(JSON.stringify(spliced(related, after, { maxShare: 1 }).result?.dmmf)).toBe(JSON.stringify(parse(after)));
  });

  it('an unchanged schema: the last DMMF itself, the wasm not asked', () => {
    const schema = GENERATOR + relatedModelsSchema(10, { url });
    const last = { schema, dmmf: parse(schema) };
    expect(spliceDmmf(last, schema, () => expect.unreachable())?.dmmf).toBe(last.dmmf);
  });

  it.each([
    ['an enum value', (s: string) => s.replace('  draft\n', '  draft\n  archived\n')],
    ['the generator', (s: string) => s.replace('provider = "prisma-client"', 'provider = "prisma-client"\n  previewFeatures = ["relationJoins"]')],
    ['a view', (s: string) => s + '\nview v1 {\n  id Int @unique\n}\n'],
    ['a line outside any block', (s: string) => `${s}\nstray\n`],
  ])('%s: left to the whole get_dmmf', (_change, change) => {
    const before = GENERATOR + relatedModelsSchema(10, { url });
    const after = change(before);
    expect(after).not.toBe(before);
    expect(spliced(before, after).result).toBeUndefined();
  });
});
