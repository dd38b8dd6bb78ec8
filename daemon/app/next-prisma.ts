/**
 * Whether a Next.js app's Prisma module follows `prisma generate` while `next dev` runs, and the
 * rewrite `schemasync init` offers for the singleton of Prisma's Next.js guide
 * (`globalForPrisma.prisma ?? new PrismaClient(...)`). Pure: text in, verdict or text out.
 *
 * Two ways the running app misses a regenerated client, as measured with Next 16:
 * - `@prisma/client` (the `prisma-client-js` generator's default output) is one of Next's built-in
 *   server-external packages: both bundlers load it with Node's require, which never reloads it.
 * - a client generated into the source tree (`prisma-client`) is recompiled, but the guide's
 *   singleton keeps the instance of the old class on globalThis.
 */

/** The helpers `init` appends (templates/next-prisma/*.ts.tmpl); their names mark a module already done. */
export const FOLLOW_HELPER = 'followPrismaGenerate';
export const CLASS_HELPER = 'ofCurrentPrismaClass';

export type PrismaModuleVerdict =
  /** The app follows each generate: schemasync's helper is in, or a bundled client without a kept singleton. */
  | { follows: true; how: string }
  /** It cannot: why, and whether `init` can rewrite it. */
  | { follows: false; why: string; rewritable: boolean }
  /** Not a module that makes the app's PrismaClient, or a shape we cannot judge: nothing said. */
  | undefined;

interface GuideSingleton {
  /** `@prisma/client`: loaded by Node's require, outside the bundle. */
  external: boolean;
  /** Offset and text of `globalForPrisma.prisma` in the `?? new PrismaClient(` expression. */
  holderAt: number;
  holder: string;
  /** Offsets of `new PrismaClient(args)` plus any `.$extends(...)` chain after it. */
  createAt: number;
  createEnd: number;
  args: string;
  chain: string;
}

/** A module that makes the app's client: `new PrismaClient(`, or the rewritten form of it. */
export const MAKES_CLIENT = new RegExp(`\\bnew\\s+PrismaClient\\b|\\b${FOLLOW_HELPER}\\(`);
const IMPORT = /import\s*\{([^}]*)\}\s*from\s*(['"])([^'"]+)\2/g;
const SINGLETON = /\b([A-Za-z_$][\w$]*\.prisma)\s*(?:\?\?|\|\|)\s*new\s+PrismaClient\s*\(/;

/** Where PrismaClient is imported from as a value (`import type { … }` does not match), or undefined. */
export function prismaClientSource(text: string): string | undefined {
  for (const match of text.matchAll(IMPORT)) {
    const names = match[1]!.split(',').map((name) => name.trim());
    if (names.includes('PrismaClient')) return match[3];
  }
  return undefined;
}

function isExternal(source: string): boolean {
  return source === '@prisma/client' || source.startsWith('@prisma/client/');
}

/** The guide's singleton in `text`, or undefined when the module does not have that shape. */
export function findGuideSingleton(text: string): GuideSingleton | undefined {
  const source = prismaClientSource(text);
  if (!source) return undefined;
  const match = SINGLETON.exec(text);
  if (!match) return undefined;
  const open = match.index + match[0].length - 1;
  const close = matchingParen(text, open);
  if (close === undefined) return undefined;
  let end = close + 1;
  // `.$extends(withAccelerate())` and the like, chained on the new client.
  for (;;) {
    const link = /^\s*\.\s*[A-Za-z_$][\w$]*\s*\(/.exec(text.slice(end));
    if (!link) break;
    const linkClose = matchingParen(text, end + link[0].length - 1);
    if (linkClose === undefined) return undefined;
    end = linkClose + 1;
  }
  const createAt = text.indexOf('new', match.index + match[1]!.length);
  return {
    external: isExternal(source),
    holderAt: match.index,
    holder: match[1]!,
    createAt,
    createEnd: end,
    args: text.slice(open + 1, close),
    chain: text.slice(close + 1, end),
  };
}

/** The offset of the `)` closing the `(` at `open`, skipping strings, template literals and comments. */
function matchingParen(text: string, open: number): number | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2);
      if (i < 0) return undefined;
      i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return c === ')' ? i : undefined;
    }
  }
  return undefined;
}

/** Whether this module lets a running `next dev` pick up a regenerated client. */
export function judgePrismaModule(text: string): PrismaModuleVerdict {
  const source = prismaClientSource(text);
  if (!source) return undefined;
  const external = isExternal(source);
  if (external && text.includes(`function ${FOLLOW_HELPER}`)) return { follows: true, how: 'reloads @prisma/client after each generate' };
  if (!external && text.includes(`function ${CLASS_HELPER}`)) return { follows: true, how: 'replaces a client of an older generated class' };
  if (!MAKES_CLIENT.test(text)) return undefined;
  const guide = findGuideSingleton(text);
  if (external) {
    return {
      follows: false,
      why: "Next.js loads @prisma/client with Node's require and never reloads it, so the running next dev keeps the client it first loaded",
      rewritable: guide !== undefined,
    };
  }
  if (guide)
    return {
      follows: false,
      why: `${guide.holder} keeps the client of the first generated class on globalThis, so the running next dev keeps using it`,
      rewritable: true,
    };
  // A bundled client made without a singleton on globalThis is recompiled with the app: it follows.
  if (!/\bglobal(This)?\b/.test(text)) return { follows: true, how: 'the bundler recompiles the generated client' };
  return undefined;
}

/**
 * The module with the guide's singleton made to follow each generate, or undefined when it does
 * not have that shape. `helpers` are the template texts (templates/next-prisma/). In production the
 * rewritten module does what it did before.
 */
export function rewriteGuideSingleton(text: string, helpers: { follow: string; currentClass: string }): string | undefined {
  const found = findGuideSingleton(text);
  if (!found) return undefined;
  const verdict = judgePrismaModule(text);
  if (verdict?.follows) return undefined;
  const ending = text.endsWith('\n') ? '' : '\n';
  if (found.external) {
    // The client is made by a function of the class, so the freshly required class can make the next one.
    const create = `${FOLLOW_HELPER}(PrismaClient, (Client) => new Client(${found.args})${found.chain})`;
    return `${text.slice(0, found.createAt)}${create}${text.slice(found.createEnd)}${ending}${helpers.follow}`;
  }
  const held = `${CLASS_HELPER}(${found.holder})`;
  return `${text.slice(0, found.holderAt)}${held}${text.slice(found.holderAt + found.holder.length)}${ending}${helpers.currentClass}`;
}
