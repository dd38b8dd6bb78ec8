import { statusAll, type TargetStatus } from '../../app/migrations.ts';
import type { AppContext } from '../../app/context.ts';
import { exitCodeForResults } from '../results.ts';

type StatusRow = TargetStatus['rows'][number];

export async function statusCommand(ctx: AppContext, options: Record<string, unknown>): Promise<number> {
  const results = await statusAll(ctx);
  const code = exitCodeForResults(results, ctx.logger);
  if (options.json) {
    ctx.stdout.write(
      `${JSON.stringify(
        results.flatMap((r) => r.rows.map(statusJson)),
        null,
        2,
      )}\n`,
    );
  } else {
    for (const result of results.filter((r) => !r.error)) {
      ctx.stdout.write(`${formatStatusTable(result.target, result.where, result.rows)}\n`);
    }
    // A target that is off gets its row too, saying why (`status` is where one looks for it).
    for (const notice of ctx.notices) ctx.stdout.write(`${notice}\n`);
  }
  return code;
}

export function statusJson(row: StatusRow) {
  return { target: row.target, version: row.version, file: row.file, state: row.state, appliedAt: row.appliedAt?.toISOString() ?? null };
}

/** goose status's table (same columns and time format), under a heading naming the target. */
export function formatStatusTable(target: string, where: string, rows: StatusRow[]): string {
  const lines = [`${target} · ${where}`, '    Applied At                  Migration', '    ======================================='];
  for (const row of rows) {
    const when = row.state === 'applied' ? (row.appliedAt ? ansic(row.appliedAt) : 'Applied') : row.state === 'pending' ? 'Pending' : 'Missing file';
    const name = row.file ?? `version ${row.version} (applied, no file)`;
    lines.push(`    ${when.padEnd(24)} -- ${name}`);
  }
  if (rows.length === 0) lines.push('    (no migrations)');
  return lines.join('\n');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** Go's ANSIC layout `Mon Jan _2 15:04:05 2006`, as goose prints a row's tstamp. */
export function ansic(date: Date): string {
  return `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${String(date.getDate()).padStart(2, ' ')} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())} ${date.getFullYear()}`;
}
