#!/usr/bin/env node
// Installed from npm, the package holds dist/ (compiled at `npm pack`) and no daemon/: plain node
// runs it. In a source checkout, daemon/ is run through tsx (a devDependency) unless a build in
// dist/ is at least as new as every source file, so whoever edits daemon/ never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The parent schemasync started under, read before anything loads: a runner stopped during the
// daemon's start-up is noticed once the daemon is up (daemon/app/runner-watch.ts).
globalThis[Symbol.for('schemasync.startParent')] = process.ppid;

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

// Node 21+ defines `navigator`; on Node 20, pg's check for a Cloudflare Worker falls back to
// `new Response()`, loading undici's whole fetch (a tenth of a one-shot command's time). Node 21's
// own value, so pg and every other library see what they see on newer Node.
if (globalThis.navigator === undefined) {
  Object.defineProperty(globalThis, 'navigator', {
    value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` },
    configurable: true,
    writable: true,
  });
}

// A reader that stops early (`schemasync status | head -1`) closes the pipe: what is left to
// print is dropped, and the command still finishes its work and exits with its own status.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

let entry = compiled;
if (existsSync(sources) && (!existsSync(compiled) || statSync(compiled).mtimeMs < newestSource(sources))) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = `${sources}/cli/main.ts`;
}
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
