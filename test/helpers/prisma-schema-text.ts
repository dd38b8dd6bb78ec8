/**
 * A Prisma schema of `count` related models, the shape test/helpers/generated-schema.ts gives a
 * database (a hub every model points at, a chain, an enum, a dozen column types), without its
 * generator block. `url: false`: the datasource names no URL (Prisma 7 takes it from its config).
 */
export function relatedModelsSchema(count: number, { url = true } = {}): string {
  const models = Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    const lines = [
      'id BigInt @id @default(autoincrement())',
      'title String @db.VarChar(200)',
      'amount Decimal @default(0) @db.Decimal(12, 2)',
      'quantity Int @default(0)',
      'ratio Float?',
      'is_active Boolean @default(true)',
      'due_on DateTime? @db.Date',
      'payload Json?',
      'status gen_status @default(draft)',
      'external_id String? @unique @db.Uuid',
      'tags String[]',
    ];
    if (n > 1) lines.push(`hub_id BigInt`, `hub m1 @relation("hub${n}", fields: [hub_id], references: [id])`);
    if (n > 2) lines.push(`previous_id BigInt?`, `previous m${n - 1}? @relation("prev${n}", fields: [previous_id], references: [id])`);
    if (n === 1) for (let k = 2; k <= count; k++) lines.push(`hub${k} m${k}[] @relation("hub${k}")`);
    if (n < count && n > 1) lines.push(`next m${n + 1}[] @relation("prev${n + 1}")`);
    return `model m${n} {\n  ${lines.join('\n  ')}\n}`;
  });
  return `datasource db {\n  provider = "postgresql"${url ? '\n  url = env("DATABASE_URL")' : ''}\n}\n\nenum gen_status {\n  draft\n  active\n}\n\n${models.join('\n\n')}\n`;
}
