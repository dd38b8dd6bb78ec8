import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const reaperModule = fileURLToPath(new URL('../../../daemon/tools/reaper.ts', import.meta.url));

function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * A node process standing in for schemasync: it starts `sleep` in a group of its own, hands the
 * group to the reaper (released at once with `release`), prints both pids and waits to be killed
 * (or, with `exit`, exits by itself).
 */
function owner(options: { release?: boolean; exit?: boolean }) {
  const code = `
    import { spawn } from 'node:child_process';
    import { reapWithUs, reaperPid } from ${JSON.stringify(reaperModule)};
    const sleeper = spawn('sleep', ['120'], { detached: true, stdio: 'ignore' });
    sleeper.unref();
    const release = reapWithUs(sleeper.pid, { group: true });
    ${options.release ? 'release();' : ''}
    console.log(JSON.stringify({ sleeper: sleeper.pid, reaper: reaperPid() }));
    ${options.exit ? '' : 'setInterval(() => {}, 1000);'}
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pids = new Promise<{ sleeper: number; reaper: number }>((resolve) =>
    child.stdout.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()) as { sleeper: number; reaper: number })),
  );
  return { child, pids };
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((r) => setTimeout(r, 50))) if (check()) return true;
  return check();
}

describe('the reaper: children do not outlive schemasync', () => {
  it('kills a child group when its owner dies by SIGKILL, then exits', async () => {
    const { child, pids } = owner({});
    const { sleeper, reaper } = await pids;
    expect(running(sleeper) && running(reaper)).toBe(true);
    child.kill('SIGKILL');
    expect(await until(() => !running(sleeper), 3_000)).toBe(true);
    expect(await until(() => !running(reaper), 3_000)).toBe(true);
  });

  it('leaves a released child alone, and exits with its owner', async () => {
    const { child, pids } = owner({ release: true, exit: true });
    const { sleeper, reaper } = await pids;
    try {
      await once(child, 'exit');
      expect(await until(() => !running(reaper), 3_000)).toBe(true);
      expect(running(sleeper)).toBe(true);
    } finally {
      process.kill(-sleeper, 'SIGKILL');
    }
  });
});
