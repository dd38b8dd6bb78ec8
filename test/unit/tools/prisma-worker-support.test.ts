import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { checkWarmSupport, enableCommand, findPackageDir, packageManager } from '../../../daemon/tools/prisma-worker/support.ts';

/** A project folder with the given packages (name → version) in node_modules, package.json only. */
function project(packages: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'schemasync-support-'));
  dirs.push(root);
  for (const [name, version] of Object.entries(packages)) {
    mkdirSync(path.join(root, 'node_modules', name, 'build'), { recursive: true });
    writeFileSync(path.join(root, 'node_modules', name, 'package.json'), JSON.stringify({ name, version }));
  }
  return root;
}
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const cliOf = (root: string) => path.join(root, 'node_modules/prisma/build/index.js');
const ALL = ['@prisma/internals', '@prisma/migrate', '@prisma/client-generator-registry', '@prisma/config'];

describe('checkWarmSupport', () => {
  it('serves when every package is at the CLI version', () => {
    const root = project({ prisma: '6.19.3', ...Object.fromEntries(ALL.map((n) => [n, '6.19.3'])) });
    expect(checkWarmSupport(root, cliOf(root))).toEqual({ ok: true, version: '6.19.3' });
  });

  it('names the missing and mismatched packages, and the exact npm command for those', () => {
    const root = project({ prisma: '6.19.3', '@prisma/config': '6.19.3', '@prisma/internals': '6.18.0' });
    expect(checkWarmSupport(root, cliOf(root))).toEqual({
      ok: false,
      reason: '@prisma/internals is 6.18.0, @prisma/migrate is not installed, @prisma/client-generator-registry is not installed (prisma is 6.19.3)',
      command: 'npm install --save-dev --save-exact @prisma/internals@6.19.3 @prisma/migrate@6.19.3 @prisma/client-generator-registry@6.19.3',
      args: ['npm', 'install', '--save-dev', '--save-exact', '@prisma/internals@6.19.3', '@prisma/migrate@6.19.3', '@prisma/client-generator-registry@6.19.3'],
    });
  });

  it('refuses a Prisma major it does not know', () => {
    const root = project({ prisma: '5.22.0' });
    expect(checkWarmSupport(root, cliOf(root))).toMatchObject({ ok: false, reason: 'prisma 5.22.0 is not a version the worker supports (6.x, 7.x)' });
  });

  it('finds packages in a parent folder, as Node does', () => {
    const root = project({ '@prisma/config': '7.10.0' });
    const nested = path.join(root, 'apps', 'web');
    mkdirSync(nested, { recursive: true });
    expect(findPackageDir('@prisma/config', nested)).toBe(path.join(root, 'node_modules', '@prisma/config'));
    expect(findPackageDir('@prisma/nothing', nested)).toBeUndefined();
  });
});

it("enableCommand pins each package to the version, in the project's package manager", () => {
  expect(enableCommand('7.10.0', ['@prisma/internals'])).toBe('npm install --save-dev --save-exact @prisma/internals@7.10.0');
  expect(enableCommand('7.10.0', ['@prisma/internals'], 'pnpm')).toBe('pnpm add --save-dev --save-exact @prisma/internals@7.10.0');
  expect(enableCommand('7.10.0', ['@prisma/internals'], 'yarn')).toBe('yarn add --dev --exact @prisma/internals@7.10.0');
});

it('packageManager follows the lock file, nearest first', () => {
  const root = project({});
  expect(packageManager(root)).toBe('npm');
  writeFileSync(path.join(root, 'pnpm-lock.yaml'), '');
  expect(packageManager(path.join(root, 'node_modules'))).toBe('pnpm');
});
