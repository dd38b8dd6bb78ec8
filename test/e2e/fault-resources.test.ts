import { readdir, readFile, writeFile } from 'node:fs/promises';

import { expect, it } from 'vitest';

import { postgresMissing } from '../helpers/postgres.ts';
import { describeWith } from '../helpers/require.ts';
import { alive, appliedVersions, expectNoDuplicates, fakeToolPids, faultSuite, nextRunEnd, stopCleanly } from './fault-support.ts';

// Issue 7, case 10: resource bounds. 10,000 file events and a long loop of runs through one
// daemon: its memory (RSS) and open file descriptors stay flat (measured from /proc after a
// warm-up), runs never pile up, and nothing is left running after it stops. RUNS is 1,000 with
// FAULT_LONG=1; by default 100 keep the suite short while still showing a trend.

const RUNS = process.env.FAULT_LONG ? 1_000 : 100;
const EVENTS = 10_000;

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
}
const openFds = async (pid: number) => (await readdir(`/proc/${pid}/fd`)).length;

describeWith('PostgreSQL', postgresMissing(), 'fault: memory and handles stay flat', () => {
  // The drift step's database checks and the debounce are what a run costs here: keep both short.
  const DEBOUNCE_MS = 20;
  const suite = faultSuite({ SCHEMASYNC_DEBOUNCE_MS: String(DEBOUNCE_MS), LOG_LEVEL: 'info' });

  /** One change to a sqlc input, and the run it causes. */
  async function oneRun(index: number): Promise<void> {
    const before = suite.daemon.runEnds().length;
    await writeFile(suite.project.path('queries', 'users.sql'), `${original}\n-- ${index}\n`);
    await nextRunEnd(suite.daemon, before, `run ${before + 1}`);
  }
  let original = '';
  const runStarts = () => suite.daemon.events.filter((e) => e.event === 'run:start');

  it(
    `${RUNS} runs in a loop, then ${EVENTS} file events: RSS and open descriptors stay flat`,
    async () => {
      const pid = suite.daemon.child.pid!;
      original = await readFile(suite.project.path('queries', 'users.sql'), 'utf8');
      for (let i = 0; i < 20; i++) await oneRun(i); // warm-up: pools, JIT, caches
      const rssBefore = await rssMiB(pid);
      const fdsBefore = await openFds(pid);

      for (let i = 20; i < RUNS; i++) await oneRun(i);
      const rssAfterRuns = await rssMiB(pid);
      const fdsAfterRuns = await openFds(pid);

      // 10,000 events, as fast as the file system takes them: a non-SQL file the filter drops and
      // a watched query file; the debounce folds the latter into a few runs.
      const runsBefore = suite.daemon.runEnds().length;
      const startsBefore = runStarts().length;
      const burstStart = Date.now();
      for (let i = 0; i < EVENTS; i++) {
        await writeFile(
          i % 2 === 0 ? suite.project.path('migrations', 'postgres', 'notes.txt') : suite.project.path('queries', 'users.sql'),
          `${original}\n-- burst ${i}\n`,
        );
      }
      const burstEnd = Date.now();
      await nextRunEnd(suite.daemon, runsBefore, 'the runs after the burst');
      // Let the burst's last run finish and the fds it used close.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await suite.daemon.waitFor(() => runStarts().length === suite.daemon.runEnds().length, 30_000, 'the runs to finish');
      const rssAfterEvents = await rssMiB(pid);
      const fdsAfterEvents = await openFds(pid);

      const report = `RSS ${rssBefore.toFixed(0)} → ${rssAfterRuns.toFixed(0)} → ${rssAfterEvents.toFixed(0)} MiB; fds ${fdsBefore} → ${fdsAfterRuns} → ${fdsAfterEvents}`;
      expect(rssAfterRuns - rssBefore, report).toBeLessThan(40);
      expect(rssAfterEvents - rssBefore, report).toBeLessThan(40);
      expect(fdsAfterRuns - fdsBefore, report).toBeLessThanOrEqual(4);
      expect(fdsAfterEvents - fdsBefore, report).toBeLessThanOrEqual(4);
      expect(suite.daemon.runEnds().every((e) => e.ok === true)).toBe(true);
      // The burst was folded. A run starts only after DEBOUNCE_MS without an event, so two starts
      // are at least that far apart, however slow the machine is; and runs never pile up: once the
      // writes stop, at most the run already queued and the one for the last writes follow.
      const burstStarts = runStarts().slice(startsBefore);
      const burstReport = `${burstStarts.length} runs for ${EVENTS / 2} writes in ${burstEnd - burstStart} ms`;
      expect(burstStarts.length, burstReport).toBeLessThanOrEqual(Math.ceil((burstEnd - burstStart) / DEBOUNCE_MS) + 2);
      expect(burstStarts.filter((e) => Date.parse(String(e.time)) > burstEnd).length, burstReport).toBeLessThanOrEqual(2);
      expectNoDuplicates(await appliedVersions(suite.database.url));
    },
    60_000 + RUNS * 1_000,
  );

  it('leaves nothing running after it stops', async () => {
    await stopCleanly(suite.daemon);
    expect(await alive(await fakeToolPids(suite.project))).toEqual([]);
  });
});
