import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { expect, it } from 'vitest';

import { runSchemasync, schemasyncBin } from '../helpers/daemon.ts';
import { postgresMissing } from '../helpers/postgres.ts';
import { repoRoot } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { withFaultProject } from './fault-support.ts';

const concurrentlyBin = path.join(repoRoot, 'node_modules', 'concurrently', 'dist', 'bin', 'concurrently.js');

describeWith('PostgreSQL', postgresMissing(), "init's dev:all under concurrently (e2e)", () => {
  // concurrently runs each command through `sh -c`: without `exec`, Ctrl-C killed that shell and
  // concurrently said "schemasync watch exited with code SIGINT" though schemasync stopped cleanly.
  it('Ctrl-C to the process group: schemasync watch, as init writes it, is reported as exiting with code 0', async () => {
    await withFaultProject(async (_database, project) => {
      await writeFile(path.join(project.root, 'package.json'), JSON.stringify({ name: 'app', dependencies: { next: '16.5.0' } }));
      const init = await runSchemasync(['init'], { cwd: project.root, env: project.env });
      expect(init.code, init.output).toBe(0);
      const script = (JSON.parse(await readFile(path.join(project.root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['dev:all']!;
      const daemonCommand = /"([^"]*schemasync watch)"/.exec(script)?.[1];
      expect(daemonCommand).toBe('exec schemasync watch');
      // `schemasync` on PATH, as npm run puts node_modules/.bin there.
      const bin = path.join(project.root, 'bin');
      await mkdir(bin);
      await symlink(schemasyncBin, path.join(bin, 'schemasync'));
      const runner = spawn(process.execPath, [concurrentlyBin, '--names', 'db', daemonCommand!], {
        cwd: project.root,
        env: { ...process.env, ...project.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, LOG_FORMAT: undefined },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let output = '';
      const started = new Promise<void>((resolve) => {
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (/✔ synced/.test(output)) resolve();
        };
        runner.stdout.on('data', onData);
        runner.stderr.on('data', onData);
      });
      const exited = once(runner, 'exit');
      try {
        await started;
        process.kill(-runner.pid!, 'SIGINT');
        await exited;
      } finally {
        if (runner.exitCode === null) process.kill(-runner.pid!, 'SIGKILL');
      }
      expect(output).toMatch(/INFO: stopped/);
      expect(output).toMatch(/\[db\] exec schemasync watch exited with code 0/);
    });
  });
});
