#!/usr/bin/env node
// Runs the compiled build in dist/ (made by `npm ci` through the `prepare` script) when it is at
// least as new as every source file, else the TypeScript sources through tsx. So `npx schemasync`
// works right after `npm ci`, and whoever edits daemon/ never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = `${root}dist/cli/main.js`;

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestSource(file) : statSync(file).mtimeMs);
  }
  return newest;
}

let entry = compiled;
if (!existsSync(compiled) || statSync(compiled).mtimeMs < newestSource(`${root}daemon`)) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = `${root}daemon/cli/main.ts`;
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
