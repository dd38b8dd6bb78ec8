/** A row of queries.ts `lockHolder()`. */
export interface LockHolderRow {
  pid: number;
  application_name: string | null;
  client_addr: string | null;
  backend_start: Date | null;
  query_start: Date | null;
}

/**
 * A human description of who holds the migration lock, for the "waiting for the lock" log line:
 * `pid 1234 (schemasync on 10.0.0.3, since 12:01:05)`. No rows means the holder vanished between
 * our attempt and the lookup (or it is invisible to our role).
 */
export function describeLockHolder(rows: LockHolderRow[]): string {
  if (rows.length === 0) return 'another session (it could not be identified)';
  return rows.map(describeOne).join(', ');
}

function describeOne(row: LockHolderRow): string {
  const app = row.application_name?.trim() || 'an unnamed client';
  const from = row.client_addr ? ` on ${row.client_addr}` : ' over a local socket';
  const since = row.backend_start ? `, since ${clockTime(row.backend_start)}` : '';
  return `pid ${row.pid} (${app}${from}${since})`;
}

function clockTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
