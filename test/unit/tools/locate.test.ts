import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { locateBinary, locatePrismaCli, searchDirectories } from '../../../daemon/tools/locate.ts';

function tempTree(files: Record<string, { executable: boolean }>): string {
  const root = mkdtempSync(join(tmpdir(), 'schemasync-locate-'));
  for (const [path, { executable }] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, '#!/bin/true\n');
    chmodSync(full, executable ? 0o755 : 0o644);
  }
  return root;
}

describe('searchDirectories', () => {
  it('orders PATH, GOBIN, each GOPATH/bin, ~/go/bin; drops duplicates and relative entries', () => {
    expect(searchDirectories({ PATH: '/usr/bin::relative:/h/go/bin', GOBIN: '/gobin', GOPATH: '/gp1:/gp2', HOME: '/h' })).toEqual([
      '/usr/bin',
      '/h/go/bin',
      '/gobin',
      '/gp1/bin',
      '/gp2/bin',
    ]);
  });

  it('copes with an empty environment', () => {
    expect(searchDirectories({})).toEqual([]);
  });
});

describe('locateBinary', () => {
  it('finds the first executable match, skipping non-executable files', async () => {
    const root = tempTree({ 'a/sqlc': { executable: false }, 'home/go/bin/sqlc': { executable: true } });
    const env = { PATH: join(root, 'a'), HOME: join(root, 'home') };
    expect(await locateBinary('sqlc', { env })).toBe(join(root, 'home/go/bin/sqlc'));
    expect(await locateBinary('goose', { env })).toBeUndefined();
  });

  it('uses an explicit path, relative to cwd, and only if it is executable', async () => {
    const root = tempTree({ 'tools/sqlc': { executable: true }, 'tools/broken': { executable: false } });
    expect(await locateBinary('sqlc', { explicit: 'tools/sqlc', cwd: root, env: {} })).toBe(join(root, 'tools/sqlc'));
    expect(await locateBinary('sqlc', { explicit: 'tools/broken', cwd: root, env: {} })).toBeUndefined();
  });
});

describe('locatePrismaCli', () => {
  it("resolves this project's prisma package entry", async () => {
    expect(await locatePrismaCli(process.cwd())).toBe(join(process.cwd(), 'node_modules/prisma/build/index.js'));
  });

  it('returns undefined for a project without prisma', async () => {
    expect(await locatePrismaCli(mkdtempSync(join(tmpdir(), 'schemasync-noprisma-')))).toBeUndefined();
  });
});
