import { appendFile, readFile } from 'node:fs/promises';

import { expect, it } from 'vitest';

import type { LogEvent } from '../helpers/daemon.ts';
import { postgresMissing } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import { alive, appliedVersions, expectNoDuplicates, expectNoSecret, fakeToolPids, faultSuite, nextRunEnd, passwordOf, stopCleanly } from './fault-support.ts';

// Issue 7, case 5: prisma and sqlc crash, hang past the tool timeout, or print 50 MB. One daemon
// lives through all of it; after each fault the step has failed with a short cause, and the next
// change syncs. The tools are the switchable fake (test/fixtures/bin/fake-tool.mjs).

const TOOL_TIMEOUT_MS = 1500;

/** Resident set of a process, in MiB (VmRSS, or VmHWM for the peak). */
async function memoryMiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]);
  return kb / 1024;
}

describeWith('PostgreSQL', postgresMissing(), 'fault: prisma and sqlc crash, hang or flood', () => {
  // The first run's outcome is the first test's to check.
  const suite = faultSuite({ SCHEMASYNC_TOOL_TIMEOUT_MS: String(TOOL_TIMEOUT_MS) }, { firstRunOk: false });

  /** Makes a change and resolves with the run it causes and that run's failure lines. */
  async function runAfter(change: () => Promise<unknown>): Promise<{ end: LogEvent; failures: LogEvent[] }> {
    const before = suite.daemon.runEnds().length;
    await change();
    const end = await nextRunEnd(suite.daemon, before, `run ${before + 1}`);
    const failures = suite.daemon.events.filter((e) => e.event === 'failure' && e.run === suite.daemon.runEnds().length);
    return { end, failures };
  }
  /** Changes a query file (a sqlc input): a new trailing newline each time. */
  const touchQueries = () => appendFile(suite.project.path('queries', 'users.sql'), '\n');

  it('the first run succeeds with the fake tools', () => {
    expect(suite.daemon.runEnds()[0]).toMatchObject({ ok: true });
  });

  it('sqlc crashing fails its step with the tail of its output; the daemon lives', async () => {
    await suite.project.setMode('crash');
    const { end, failures } = await runAfter(touchQueries);
    expect(end).toMatchObject({ ok: false });
    const failure = failures.find((f) => f.step === 'sqlc');
    expect(failure, suite.daemon.text()).toBeDefined();
    expect(failure!.msg).toMatch(/sqlc/);
    expect(String(failure!.output)).toContain('segmentation violation');
    expect(suite.daemon.child.exitCode).toBeNull();
  });

  it('sqlc hanging past --tool-timeout is killed with its children, and the step says it timed out', async () => {
    await suite.project.setMode('hang');
    const started = Date.now();
    const { end, failures } = await runAfter(touchQueries);
    expect(end).toMatchObject({ ok: false });
    expect(Date.now() - started).toBeLessThan(TOOL_TIMEOUT_MS + 10_000);
    expect(failures.find((f) => f.step === 'sqlc')?.msg).toMatch(/timed out|timeout/i);
    // The fake and the grandchild it started are gone (SIGTERM to the group, SIGKILL after 2 s).
    await expect.poll(async () => alive(await fakeToolPids(suite.project)), { timeout: 5_000 }).toEqual([]);
    expect(suite.daemon.child.exitCode).toBeNull();
  });

  it('sqlc printing 50 MB fails with a trimmed cause and the daemon memory stays bounded', async () => {
    await suite.project.setMode('flood');
    const pid = suite.daemon.child.pid!;
    const before = await memoryMiB(pid, 'VmRSS');
    const { end, failures } = await runAfter(touchQueries);
    expect(end).toMatchObject({ ok: false });
    const failure = failures.find((f) => f.step === 'sqlc');
    expect(failure, suite.daemon.text()).toBeDefined();
    expect(JSON.stringify(failure).length).toBeLessThan(64 * 1024);
    // 100 MiB went through the pipes (50 on each stream); keeping it (as strings, at least as
    // much again) would show here. What does show (~50 MiB) is V8 collecting the chunks lazily.
    const peak = await memoryMiB(pid, 'VmHWM');
    expect(peak - before, `RSS before ${before.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB`).toBeLessThan(90);
    expect(suite.daemon.child.exitCode).toBeNull();
  });

  it('prisma crashing after a migration fails the prisma step; the migration stays applied once', async () => {
    await suite.project.setMode('crash');
    const { end, failures } = await runAfter(() =>
      suite.project.addMigration(
        '20260101000000_fault_tools_one.sql',
        '-- +goose Up\nCREATE TABLE fault_tools_one (id int);\n-- +goose Down\nDROP TABLE fault_tools_one;\n',
      ),
    );
    expect(end).toMatchObject({ ok: false });
    expect((end.steps as Array<{ name: string; status: string }>).find((s) => s.name === 'apply:postgres')?.status).toBe('ok');
    expect(failures.find((f) => f.step === 'prisma')?.output).toContain('segmentation violation');
    expect(await appliedVersions(suite.database.url)).toContain(20260101000000);
  });

  it('with the tools fixed, the next change syncs everything and nothing is applied twice', async () => {
    await suite.project.setMode('ok');
    const { end } = await runAfter(() =>
      suite.project.addMigration(
        '20260101000100_fault_tools_two.sql',
        '-- +goose Up\nCREATE TABLE fault_tools_two (id int);\n-- +goose Down\nDROP TABLE fault_tools_two;\n',
      ),
    );
    expect(end, suite.daemon.text()).toMatchObject({ ok: true });
    const versions = await appliedVersions(suite.database.url);
    expect(versions).toEqual(expect.arrayContaining([20260101000000, 20260101000100]));
    expectNoDuplicates(versions);
    // The failed prisma step is retried: the fake prisma ran again after the fix.
    expect((await suite.project.invocations()).filter((line) => line.includes(' ok ') && line.includes('db pull')).length).toBeGreaterThan(0);
  });

  it('stops cleanly on SIGTERM, leaving no process behind and no password in the log', async () => {
    await stopCleanly(suite.daemon);
    await expect.poll(async () => alive(await fakeToolPids(suite.project)), { timeout: 2_000 }).toEqual([]);
    expectNoSecret(suite.daemon.text(), passwordOf(suite.database.url));
  });
});
