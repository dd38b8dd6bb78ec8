import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { runSchemasync } from '../helpers/daemon.ts';

/**
 * A config file that cannot be loaded, as plain Node loads it (not through the test runner's own
 * module loader): the error names the file, its line where Node or jiti gives one, and the reason.
 * It stops every command before anything connects (exit 2).
 */
let project: string;
beforeEach(async () => {
  project = await mkdtemp(path.join(tmpdir(), 'schemasync-config-errors-'));
});
afterEach(async () => {
  await rm(project, { recursive: true, force: true });
});

const statusWith = async (file: string, text: string) => {
  await writeFile(path.join(project, file), text);
  const result = await runSchemasync(['status'], { cwd: project, env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', CLICKHOUSE_URL: '' } });
  expect(result.code, result.output).toBe(2);
  return result.output;
};

it.each([
  ['schemasync.config.mjs', 'export default { postgresDir: ;\n', "schemasync.config.mjs: cannot load the schemasync config file: Unexpected token ';'"],
  ['schemasync.config.cjs', 'module.exports = { postgresDir: ;\n', "schemasync.config.cjs:1: cannot load the schemasync config file: Unexpected token ';'"],
  ['schemasync.config.js', "throw new Error('no config today');\n", 'schemasync.config.js: cannot load the schemasync config file: no config today'],
  [
    'schemasync.config.ts',
    'const a: number = 1;\nexport default {;\n',
    'schemasync.config.ts:2:16: cannot load the schemasync config file: ParseError: Unexpected token',
  ],
])('%s', async (file, text, message) => {
  expect(await statusWith(file, text)).toContain(`${path.join(project, message)}`);
});
