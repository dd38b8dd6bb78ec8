import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { lockFile, lockKey, takeDaemonLock } from '../../../daemon/app/daemon-lock.ts';
import type { TargetName } from '../../../daemon/config/types.ts';

const config = (postgres: string | undefined, clickhouse?: string, targets: TargetName[] = ['postgres']) => ({
  targets,
  postgres: { url: postgres, dir: '', table: '' },
  clickhouse: { url: clickhouse, dir: '', table: '', cluster: undefined },
});

describe('lockKey: one daemon per project and database', () => {
  it('is the same for the same database whatever the password, and never holds the password', () => {
    const a = lockKey(config('postgres://app:first-secret@db:5432/app'));
    expect(a).toBe(lockKey(config('postgres://app:other-secret@db:5432/app')));
    expect(a).toMatch(/^[0-9a-f]{12}$/);
  });

  it('differs for another database, another target set, or the embedded server', () => {
    const keys = new Set([
      lockKey(config('postgres://app@db:5432/app')),
      lockKey(config('postgres://app@db:5432/other')),
      lockKey(config(undefined)),
      lockKey(config('postgres://app@db:5432/app', 'http://default@ch:8123/default', ['postgres', 'clickhouse'])),
    ]);
    expect(keys.size).toBe(4);
  });
});

describe('takeDaemonLock', () => {
  const roots: string[] = [];
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });
  const project = () => {
    const root = mkdtempSync(path.join(tmpdir(), 'schemasync-lock-'));
    roots.push(root);
    return root;
  };
  /** A real other process holding the lock, as a running daemon would. */
  const holder = async (root: string, fields: Record<string, unknown> = {}) => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(child);
    await new Promise((resolve) => child.once('spawn', resolve));
    mkdirSync(path.join(root, '.schemasync'), { recursive: true });
    writeFileSync(lockFile(root, 'k'), JSON.stringify({ pid: child.pid, ...fields }));
    return child;
  };

  it('creates the file with its pid and removes it on release', async () => {
    const root = project();
    const lock = await takeDaemonLock(root, 'k');
    expect(lock.ok).toBe(true);
    expect(JSON.parse(readFileSync(lockFile(root, 'k'), 'utf8'))).toMatchObject({ pid: process.pid });
    if (lock.ok) lock.release();
    expect(existsSync(lockFile(root, 'k'))).toBe(false);
  });

  it('names the live holder and leaves its file alone', async () => {
    const root = project();
    const other = await holder(root);
    expect(await takeDaemonLock(root, 'k')).toEqual({ ok: false, holder: other.pid });
    expect(JSON.parse(readFileSync(lockFile(root, 'k'), 'utf8'))).toMatchObject({ pid: other.pid });
  });

  it('takes over a file whose process is gone', async () => {
    const root = project();
    const other = await holder(root);
    other.kill('SIGKILL');
    await new Promise((resolve) => other.once('exit', resolve));
    const lock = await takeDaemonLock(root, 'k');
    expect(lock.ok).toBe(true);
    expect(JSON.parse(readFileSync(lockFile(root, 'k'), 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('takes over a file whose pid now belongs to another process (another start time)', async () => {
    const root = project();
    await holder(root, { start: '1' });
    expect((await takeDaemonLock(root, 'k')).ok).toBe(true);
  });

  it('takes over an unreadable file left by a daemon killed as it wrote it', async () => {
    const root = project();
    mkdirSync(path.join(root, '.schemasync'));
    writeFileSync(lockFile(root, 'k'), '');
    // Older than a daemon starting this very moment.
    const { utimesSync } = await import('node:fs');
    utimesSync(lockFile(root, 'k'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect((await takeDaemonLock(root, 'k')).ok).toBe(true);
  });

  it('with replace, stops the holder (SIGTERM) and takes its place', async () => {
    const root = project();
    const other = await holder(root);
    const exited = new Promise((resolve) => other.once('exit', (_code, signal) => resolve(signal)));
    const told: number[] = [];
    const lock = await takeDaemonLock(root, 'k', { replace: true, onReplace: (pid) => told.push(pid) });
    expect(lock.ok).toBe(true);
    expect(told).toEqual([other.pid]);
    expect(await exited).toBe('SIGTERM');
  });

  it('release leaves a file that is no longer its own', async () => {
    const root = project();
    const lock = await takeDaemonLock(root, 'k');
    const other = await holder(root);
    if (lock.ok) lock.release();
    expect(JSON.parse(readFileSync(lockFile(root, 'k'), 'utf8'))).toMatchObject({ pid: other.pid });
  });
});
