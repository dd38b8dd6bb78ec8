import { spawn } from 'node:child_process';
import { once } from 'node:events';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { schemasyncBin } from '../helpers/daemon.ts';
import { createTestDatabase, postgresMissing } from '../helpers/postgres.ts';
import { copyExampleProject, type TempProject } from '../helpers/project.ts';
import { describeWith } from '../helpers/require.ts';
import { appliedVersions } from './fault-support.ts';

// `schemasync status | head -1`: the reader goes away before schemasync is done writing. The
// command still does its work and exits with its own status, without a stack trace.

describeWith('PostgreSQL', postgresMissing(), 'a reader that closes the pipe early', () => {
  let project: TempProject;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    project = await copyExampleProject({ without: ['migrations/clickhouse'] });
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
    await project?.remove();
  });

  /** Runs schemasync with both pipes closed by the reader at once; returns its exit code and what it managed to write to stderr. */
  async function runWithClosedPipes(args: string[]): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [schemasyncBin, ...args], {
      cwd: project.root,
      env: { ...process.env, DATABASE_URL: database.url, CLICKHOUSE_URL: '', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.once('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      child.stderr.destroy();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, stderr };
  }

  it('`up` applies every migration and exits 0; `status` exits 0; no EPIPE stack trace', async () => {
    const up = await runWithClosedPipes(['up']);
    expect(up.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(up.code).toBe(0);
    expect(await appliedVersions(database.url)).toHaveLength(6);

    const status = await runWithClosedPipes(['status']);
    expect(status.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(status.code).toBe(0);
  });
});
