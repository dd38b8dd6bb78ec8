import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Children that must not outlive schemasync, even when it dies by SIGKILL (no exit hook runs
 * then). Node cannot ask Linux for a parent-death signal (prctl), so one tiny reaper process per
 * schemasync holds a pipe from it: schemasync writes the pid (or process group) of each child it
 * starts and, with its next start, which ones have ended. When the pipe closes (schemasync
 * exited, however), the reaper sends SIGTERM to what is still listed, then SIGKILL a second
 * later, and exits.
 *
 * The reaper is `/bin/sh` (about 1 MB, against ~40 MB for a node process) running the fixed
 * script below; only integers schemasync generated ever reach it, never user input. It runs in
 * its own process group, so a signal to schemasync's group (a Ctrl-C, a runner's `kill -9 -pgid`)
 * does not take it down with the processes it must clean up after; it ignores INT, TERM and HUP
 * for the same reason, and lives exactly as long as the pipe.
 */
const SCRIPT = `trap '' INT TERM HUP
set -f
held=' '
while IFS=' ' read -r op id; do
  case $op in
    add) held="$held$id " ;;
    del) case $held in *" $id "*) held="\${held%% $id *} \${held#* $id }" ;; esac ;;
  esac
done
[ "$held" = ' ' ] && exit 0
kill -s TERM -- $held 2>/dev/null
sleep 1
kill -s KILL -- $held 2>/dev/null
exit 0`;

/** undefined: not started yet; null: cannot run here (no /bin/sh, Windows): children go unguarded. */
let reaper: ChildProcess | null | undefined;

function startReaper(): ChildProcess | null {
  if (process.platform === 'win32') return null;
  try {
    const child = spawn('/bin/sh', ['-c', SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    child.on('error', () => {
      if (reaper === child) reaper = null;
    });
    child.on('exit', () => {
      if (reaper === child) reaper = undefined;
    });
    child.stdin?.on('error', () => {
      // The reaper is gone (killed by hand): the next child starts another one.
      if (reaper === child) reaper = undefined;
    });
    // On a clean exit the reaper hears of the last ended children too (a pipe write of a few
    // bytes goes out at once), so nothing they left running on purpose is signalled.
    process.once('exit', () => {
      if (ended && reaper === child) child.stdin?.write(ended);
    });
    // Neither the reaper nor its pipe keeps schemasync's event loop alive: its exit ends them.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return child;
  } catch {
    return null;
  }
}

/**
 * Ended children, told to the reaper with the next start: one write, so one wake-up of the reaper
 * per tool run. A SIGKILL in between only has the reaper signal a group that is already gone.
 */
let ended = '';

/**
 * Puts a just-started child under the reaper: its process group (`group`: the child was spawned
 * `detached`, so the group is the child and everything it started) or its pid alone. Returns the
 * function to call once the child has ended (its pid may then be reused).
 */
export function reapWithUs(pid: number | undefined, options: { group: boolean }): () => void {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return () => undefined;
  reaper ??= startReaper();
  const told = reaper;
  if (!told?.stdin?.writable) return () => undefined;
  const id = options.group ? `-${pid}` : String(pid);
  told.stdin.write(`${ended}add ${id}\n`);
  ended = '';
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // Only to the reaper that heard of it (another one may have been started since).
    if (reaper === told) ended += `del ${id}\n`;
  };
}

/** The reaper's pid (tests look for it); undefined before the first child. */
export function reaperPid(): number | undefined {
  return reaper?.pid;
}
