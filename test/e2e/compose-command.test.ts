import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

import { expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { postgresMissing } from '../helpers/postgres.ts';
import { repoRoot } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { appliedVersions, withFaultProject } from './fault-support.ts';
import { lockFiles, sessionsOn } from './runner-support.ts';

// Issue 12: docker-compose stops cleanly. No Docker engine runs here, so the schemasync
// service's exact command line runs under `setsid sh -c …` (its own session, as in a container)
// and TERM goes to the top process, as `docker compose stop` sends it (through init: true).

const run = promisify(execFile);

interface Compose {
  services: { schemasync: { command: string[]; environment: Record<string, string>; init?: boolean } };
}

describeWith('PostgreSQL', postgresMissing(), 'docker-compose: the container command', () => {
  it('runs schemasync as the top process, logs pretty lines, and exits 0 on TERM', async () => {
    const compose = parseYaml(await readFile(path.join(repoRoot, 'docker-compose.yml'), 'utf8')) as Compose;
    const service = compose.services.schemasync;
    expect(service.init).toBe(true);
    const [shell, flag, script] = service.command;
    expect([shell, flag]).toEqual(['sh', '-c']);
    // `$$` is compose's escape for a literal `$`.
    const command = script!.replaceAll('$$', '$');

    await withFaultProject(async (database, project) => {
      // The container's /app is the repository: its bin and lock file.
      await cp(path.join(repoRoot, 'package-lock.json'), project.path('package-lock.json'));
      await symlink(path.join(repoRoot, 'bin'), project.path('bin'), 'dir');
      // Dependencies already installed for this lock file: the command must not reinstall them.
      await run('sh', ['-c', 'sha256sum package-lock.json > node_modules/.installed-lock'], { cwd: project.root });
      const env: NodeJS.ProcessEnv = { ...process.env, ...service.environment, ...project.env, DATABASE_URL: database.url, SCHEMASYNC_PORT: '0' };
      delete env.CLICKHOUSE_URL;
      delete env.LOG_FORMAT;
      const child = spawn('setsid', ['sh', '-c', command], { cwd: project.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = once(child, 'exit');
      try {
        await expect.poll(() => output, { timeout: 60_000, interval: 200 }).toMatch(/✔ synced|✖ failed/);
        expect(output).toMatch(/✔ synced/);
        // exec: the top process is node itself, not a shell or npm.
        expect((await readFile(`/proc/${child.pid}/comm`, 'utf8')).trim()).toBe('node');
        child.kill('SIGTERM');
        const [code] = (await exited) as [number | null];
        expect(code, output).toBe(0);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      expect(output).not.toMatch(/npm (ci|warn)|added \d+ packages/);
      expect(output).toMatch(/INFO: SIGTERM received: shutting down\n/);
      expect(output).toMatch(/INFO: stopped/);
      expect(output.split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
      expect(output).not.toContain('\u001b[');
      expect(await appliedVersions(database.url)).toContain(20250301090500);
      // Nothing left behind: no session of the daemon's, no lock file (issue 20).
      expect(await sessionsOn(database.url, database.name)).toBe(0);
      expect(await lockFiles(project)).toEqual([]);
    });
  }, 120_000);
});
