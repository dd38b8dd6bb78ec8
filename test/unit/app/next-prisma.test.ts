import { describe, expect, it } from 'vitest';

import { prismaHelpers } from '../../../daemon/app/next-app.ts';
import { findGuideSingleton, judgePrismaModule, prismaClientSource, rewriteGuideSingleton } from '../../../daemon/app/next-prisma.ts';

const helpers = prismaHelpers();

// lib/prisma.ts as Prisma's Next.js guide writes it, for the prisma-client generator.
const GUIDE_BUNDLED = `import { PrismaClient } from '../app/generated/prisma/client'
import { PrismaPg } from '@prisma/adapter-pg'

const globalForPrisma = global as unknown as {
  prisma: PrismaClient
}

const adapter = new PrismaPg({
  connectionString: process.env.DATABASE_URL,
})

const prisma = globalForPrisma.prisma || new PrismaClient({
  adapter,
})

if (process.env.NODE_ENV !== 'production') globalForPrisma.prisma = prisma

export default prisma
`;

// The older guide, for prisma-client-js (client in node_modules/.prisma/client).
const GUIDE_EXTERNAL = `import { PrismaClient } from "@prisma/client";

const globalForPrisma = globalThis as unknown as { prisma: PrismaClient | undefined };

export const prisma = globalForPrisma.prisma ?? new PrismaClient();

if (process.env.NODE_ENV !== "production") globalForPrisma.prisma = prisma;
`;

describe('judgePrismaModule', () => {
  it('the guide singleton over a bundled client keeps the old class on globalThis: rewritable', () => {
    expect(judgePrismaModule(GUIDE_BUNDLED)).toEqual({
      follows: false,
      why: expect.stringContaining('globalForPrisma.prisma keeps') as string,
      rewritable: true,
    });
  });

  it('@prisma/client never reloads, singleton or not', () => {
    expect(judgePrismaModule(GUIDE_EXTERNAL)).toMatchObject({ follows: false, rewritable: true });
    expect(judgePrismaModule(`import { PrismaClient } from '@prisma/client'\nexport const prisma = new PrismaClient()\n`)).toMatchObject({
      follows: false,
      rewritable: false,
    });
  });

  it('a bundled client made without a kept singleton follows', () => {
    expect(judgePrismaModule(`import { PrismaClient } from './generated/prisma/client'\nexport const prisma = new PrismaClient()\n`)).toMatchObject({
      follows: true,
    });
  });

  it('says nothing of shapes it cannot judge, nor of modules that only name the type', () => {
    // Next.js's own example: a new client at every evaluation, stored but never read back.
    const nextExample = `import { PrismaClient } from "./generated/prisma-client";
import { withAccelerate } from "@prisma/extension-accelerate";
const prisma = new PrismaClient().$extends(withAccelerate());
const globalForPrisma = global as unknown as { prisma: typeof prisma };
if (process.env.NODE_ENV !== "production") globalForPrisma.prisma = prisma;
export default prisma;
`;
    expect(judgePrismaModule(nextExample)).toBeUndefined();
    expect(
      judgePrismaModule(`import type { PrismaClient } from '@prisma/client'\nexport function f(p: PrismaClient) { return new PrismaClient() }\n`),
    ).toBeUndefined();
    expect(prismaClientSource(`import { type PrismaClient } from '@prisma/client'`)).toBeUndefined();
  });
});

describe('rewriteGuideSingleton', () => {
  it('bundled: only the read of the singleton changes, and the class helper is appended', () => {
    const after = rewriteGuideSingleton(GUIDE_BUNDLED, helpers)!;
    expect(after.startsWith(GUIDE_BUNDLED.replace('globalForPrisma.prisma || new', 'ofCurrentPrismaClass(globalForPrisma.prisma) || new'))).toBe(true);
    expect(after.slice(GUIDE_BUNDLED.length + 'ofCurrentPrismaClass()'.length)).toBe(helpers.currentClass);
    // The production line that stores the client is untouched.
    expect(after).toContain("if (process.env.NODE_ENV !== 'production') globalForPrisma.prisma = prisma");
    expect(judgePrismaModule(after)).toMatchObject({ follows: true });
    expect(rewriteGuideSingleton(after, helpers)).toBeUndefined();
  });

  it('external: the client is made by a function of the class, so a freshly loaded class can make the next', () => {
    const after = rewriteGuideSingleton(GUIDE_EXTERNAL, helpers)!;
    expect(after).toContain('export const prisma = globalForPrisma.prisma ?? followPrismaGenerate(PrismaClient, (Client) => new Client());\n');
    expect(after.endsWith(helpers.follow)).toBe(true);
    expect(judgePrismaModule(after)).toMatchObject({ follows: true });
    expect(rewriteGuideSingleton(after, helpers)).toBeUndefined();
  });

  it('keeps the arguments whole (nested brackets, strings and comments with parentheses) and moves a chained $extends into the factory', () => {
    const text = `import { PrismaClient } from '@prisma/client'
import { withAccelerate } from '@prisma/extension-accelerate'
const g = globalThis as unknown as { prisma: any }
export const db =
  g.prisma ||
  new PrismaClient({ log: ['query'], errorFormat: ")" /* ( */, datasources: { db: { url: \`\${process.env.X})\` } } })
    .$extends(withAccelerate())
g.prisma = db
`;
    const found = findGuideSingleton(text)!;
    expect(found).toMatchObject({ external: true, holder: 'g.prisma', chain: '\n    .$extends(withAccelerate())' });
    expect(found.args).toBe(`{ log: ['query'], errorFormat: ")" /* ( */, datasources: { db: { url: \`\${process.env.X})\` } } }`);
    const after = rewriteGuideSingleton(text, helpers)!;
    expect(after).toContain(
      `g.prisma ||\n  followPrismaGenerate(PrismaClient, (Client) => new Client(${found.args})\n    .$extends(withAccelerate()))\ng.prisma = db\n`,
    );
  });

  it('leaves other shapes alone', () => {
    expect(rewriteGuideSingleton(`import { PrismaClient } from '@prisma/client'\nexport const prisma = new PrismaClient()\n`, helpers)).toBeUndefined();
    expect(
      rewriteGuideSingleton(`import { PrismaClient as P } from '@prisma/client'\nconst g = globalThis as any\nexport const p = g.prisma ?? new P()\n`, helpers),
    ).toBeUndefined();
    // Unbalanced: never a half rewrite.
    expect(
      rewriteGuideSingleton(
        `import { PrismaClient } from '@prisma/client'\nconst g: any = globalThis\nexport const p = g.prisma ?? new PrismaClient({ a: (1 }\n`,
        helpers,
      ),
    ).toBeUndefined();
  });
});
