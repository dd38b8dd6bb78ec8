#!/usr/bin/env node
// Installed from npm, the package holds dist/ (compiled at `npm pack`) and no daemon/: plain node
// runs it. In a source checkout, daemon/ is run through tsx (a devDependency) unless a build in
// dist/ is at least as new as every source file, so whoever edits daemon/ never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = `${root}dist/cli/main.js`;
const sources = `${root}daemon`;

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestSource(file) : statSync(file).mtimeMs);
  }
  return newest;
}

let entry = compiled;
if (existsSync(sources) && (!existsSync(compiled) || statSync(compiled).mtimeMs < newestSource(sources))) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = `${sources}/cli/main.ts`;
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
