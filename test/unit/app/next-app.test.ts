import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, expect, it } from 'vitest';

import { watchNextApp } from '../../../daemon/app/next-app.ts';
import { prismaHelpers } from '../../../daemon/app/next-app.ts';
import { rewriteGuideSingleton } from '../../../daemon/app/next-prisma.ts';
import type { RunReport } from '../../../daemon/pipeline/report.ts';

const GUIDE = `import { PrismaClient } from "@prisma/client";
const globalForPrisma = globalThis as unknown as { prisma: PrismaClient };
export const prisma = globalForPrisma.prisma ?? new PrismaClient();
if (process.env.NODE_ENV !== "production") globalForPrisma.prisma = prisma;
`;

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function app(lib: string, dependencies: Record<string, string> = { next: '16.5.0' }): Promise<string> {
  root = await mkdtemp(path.join(tmpdir(), 'schemasync-next-app-'));
  await writeFile(path.join(root, 'package.json'), JSON.stringify({ dependencies }));
  await mkdir(path.join(root, 'lib'));
  await writeFile(path.join(root, 'lib', 'prisma.ts'), lib);
  // Generated code and dependencies are never taken for the app's module.
  await mkdir(path.join(root, 'node_modules', 'x'), { recursive: true });
  await writeFile(path.join(root, 'node_modules', 'x', 'index.ts'), GUIDE);
  return root;
}

const generated = (detail: string): RunReport => ({
  id: 2,
  ok: true,
  startedAt: new Date(0),
  durationMs: 400,
  trigger: ['db/migrations/00002_gadgets.sql'],
  steps: [{ name: 'prisma', status: 'ok', durationMs: 180, detail }],
});

it("the guide's singleton: an off row with the fix, and each run that generated says the app keeps the old client", async () => {
  const project = await app(GUIDE);
  const watch = watchNextApp(project)!;
  expect(watch.row).toEqual({
    name: 'next',
    on: false,
    detail: expect.stringMatching(
      /^lib\/prisma\.ts: Next\.js loads @prisma\/client .*restart next dev .*`npx schemasync init` rewrites lib\/prisma\.ts/,
    ) as string,
  });
  expect(watch.annotate(generated('pulled + generated')).steps[0]!.detail).toBe(
    'pulled + generated; the running next dev keeps the old client until restarted',
  );
  // Nothing generated: nothing to say.
  const pulled = generated('pull left schema.prisma unchanged');
  expect(watch.annotate(pulled)).toBe(pulled);

  // After `schemasync init` rewrote it (the daemon still running): the runs no longer say it.
  await writeFile(path.join(project, 'lib', 'prisma.ts'), rewriteGuideSingleton(GUIDE, prismaHelpers())!);
  expect(watch.annotate(generated('pulled + generated')).steps[0]!.detail).toBe('pulled + generated');
  expect(watchNextApp(project)!.row).toEqual({ name: 'next', on: true, detail: 'lib/prisma.ts follows each generate' });
});

it('says nothing for a project without next', async () => {
  expect(watchNextApp(await app(GUIDE, { express: '5.0.0' }))).toBeUndefined();
});
