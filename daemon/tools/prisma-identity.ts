import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { PrismaContext } from './prisma.ts';

/**
 * Besides the database and schema.prisma itself, what decides the text `prisma db pull` writes:
 * the CLI's version and prisma.config.ts. A short hash of both, so that a pull remembered in
 * state.json is trusted only while they stay the same; undefined when either cannot be read.
 */
export function prismaPullTool(ctx: Pick<PrismaContext, 'cli' | 'configFile'>): string | undefined {
  try {
    // The CLI is `…/prisma/build/index.js`: its package.json is two folders up.
    const manifest = JSON.parse(readFileSync(path.join(path.dirname(path.dirname(ctx.cli)), 'package.json'), 'utf8')) as { version?: unknown };
    if (typeof manifest.version !== 'string') return undefined;
    const config = ctx.configFile ? readFileSync(ctx.configFile, 'utf8') : '';
    return createHash('sha256').update(`${manifest.version}\0${config}`).digest('hex').slice(0, 16);
  } catch {
    return undefined;
  }
}
