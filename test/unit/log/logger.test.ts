import { describe, expect, it } from 'vitest';

import { createLogger, formatPrettyMessage, redactDeep } from '../../../daemon/log/logger.ts';

/** A destination that keeps what was written, as separate writes and as one text. */
function memoryDestination() {
  const writes: string[] = [];
  return {
    writes,
    write(chunk: string) {
      writes.push(chunk);
    },
    get text() {
      return writes.join('');
    },
  };
}

const SECRET = 's3cr3t-pa55';
const URL_WITH_PASSWORD = `postgres://app:${SECRET}@db.internal:5432/app`;

/** Logs the same secret-laden events in a format and returns what was written. */
function logSecrets(format: 'pretty' | 'json') {
  const destination = memoryDestination();
  const logger = createLogger({ level: 'info', format, destination, colorize: false });
  logger.info({ url: URL_WITH_PASSWORD }, 'connecting');
  logger.info({ databaseUrl: URL_WITH_PASSWORD, target: 'postgres' }, 'connected');
  logger.info(`connecting to ${URL_WITH_PASSWORD}`);
  logger.warn({ detail: `password=${SECRET} token=${SECRET}` }, `retrying with password=${SECRET}`);
  logger.info({ options: { password: SECRET, connection: { connectionString: URL_WITH_PASSWORD } } }, 'pool');
  logger.info({ env: { DATABASE_URL: URL_WITH_PASSWORD, PGPASSWORD: SECRET } }, 'spawning prisma');
  logger.child({ url: URL_WITH_PASSWORD }).error({ err: new Error(`cannot reach ${URL_WITH_PASSWORD}`) }, 'failed');
  logger.flush();
  return destination;
}

describe('createLogger redaction', () => {
  it.each(['pretty', 'json'] as const)('never writes a password in the %s format', (format) => {
    const { text, writes } = logSecrets(format);
    expect(writes).toHaveLength(7);
    expect(text).not.toContain(SECRET);
    // The URLs stay useful: only the password is masked.
    expect(text).toContain('postgres://app:***@db.internal:5432/app');
  });
});

describe('createLogger json format', () => {
  it('writes one parseable JSON object per line with an ISO time', () => {
    const { text } = logSecrets('json');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const event of events) {
      expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(typeof event.level).toBe('number');
    }
    expect(events[0]).toMatchObject({ msg: 'connecting', url: 'postgres://app:***@db.internal:5432/app' });
    expect(events[3]).toMatchObject({ msg: 'retrying with password=***', detail: 'password=*** token=***' });
    expect(events[5]).toMatchObject({ env: '[redacted]' });
  });

  it('keeps multi-line fields inside their line, and respects the level', () => {
    const destination = memoryDestination();
    const logger = createLogger({ level: 'warn', format: 'json', destination });
    logger.info('hidden');
    logger.error({ frame: '> 1 | CREATE TABL x;\n    |        ^' }, 'apply failed');
    const lines = destination.text.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'apply failed', frame: '> 1 | CREATE TABL x;\n    |        ^' });
  });
});

describe('createLogger pretty format', () => {
  it('writes one line per event, with an HH:MM:ss.l time and no pid or hostname', () => {
    const { writes } = logSecrets('pretty');
    const withoutStacks = writes.slice(0, 6);
    for (const write of withoutStacks) {
      expect(write.endsWith('\n')).toBe(true);
      expect(write.trimEnd().split('\n')).toHaveLength(1);
      expect(write).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN): /);
      expect(write).not.toMatch(/pid|hostname/);
    }
  });

  it('shows the key fields compactly and a code frame indented below', () => {
    const destination = memoryDestination();
    const logger = createLogger({ level: 'info', format: 'pretty', destination, colorize: false });
    logger.info({ target: 'postgres', event: 'apply', durationMs: 12 }, 'apply 20250101_x.sql');
    logger.error({ target: 'postgres', frame: '> 3 | CREATE TABL x;\n    |        ^' }, 'apply failed');
    const [applied, failed] = destination.writes;
    expect(applied).toMatch(/INFO: \[postgres\] apply 20250101_x\.sql \(12 ms\)\n$/);
    expect(failed).toMatch(/ERROR: \[postgres\] apply failed\n {4}> 3 \| CREATE TABL x;\n {8}\| {8}\^\n$/);
  });

  it('colours the output when asked to, and not otherwise', () => {
    const coloured = memoryDestination();
    createLogger({ level: 'info', format: 'pretty', destination: coloured, colorize: true }).info('hello');
    expect(coloured.text).toContain('\u001b[');
    const plain = memoryDestination();
    createLogger({ level: 'info', format: 'pretty', destination: plain, colorize: false }).info('hello');
    expect(plain.text).not.toContain('\u001b[');
    expect(plain.text).toMatch(/INFO: hello\n$/);
  });
});

describe('formatPrettyMessage', () => {
  it.each([
    [{ msg: 'watching' }, 'watching'],
    [{ target: 'clickhouse', msg: 'apply 2_x.sql', durationMs: 1840 }, '[clickhouse] apply 2_x.sql (1.84 s)'],
    [{ step: 'sqlc', event: 'step:end' }, '[sqlc] step:end'],
    [{ msg: 'applied', file: 'a.sql', count: 2, ok: true, nested: { a: 1 } }, 'applied'],
    [{ msg: 'failed', frame: '> 3 | SELECT x\n    |        ^' }, 'failed\n    > 3 | SELECT x\n        |        ^'],
    [{ event: 'run:end', msg: '✔ synced in 2.20 s', durationMs: 2200 }, '✔ synced in 2.20 s'],
    [{ msg: 'failed', err: { message: 'boom\nmore', code: 'TOOL', stack: 'Error: boom\n at x' } }, 'failed · boom'],
    [{ msg: 'crashed', err: { message: 'boom', stack: 'Error: boom\n  at x' } }, 'crashed · boom\n    Error: boom\n      at x'],
    [{ msg: 'first line\nsecond line' }, 'first line\n    second line'],
  ])('%j → %j', (log, expected) => {
    expect(formatPrettyMessage(log)).toBe(expected);
  });
});

describe('an error passed as err', () => {
  it('puts its reason on the pretty line, whether an Error or its text', () => {
    const destination = memoryDestination();
    const logger = createLogger({ level: 'debug', format: 'pretty', destination, colorize: false });
    const reset = Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    logger.debug({ err: reset }, 'an idle PostgreSQL connection failed');
    logger.warn({ err: 'Code 999: lease table is read-only' }, 'could not renew the ClickHouse lock lease; retrying');
    logger.flush();
    const lines = destination.text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/DEBUG: an idle PostgreSQL connection failed · Connection terminated unexpectedly$/);
    expect(lines[1]).toMatch(/WARN: could not renew the ClickHouse lock lease; retrying · Code 999: lease table is read-only$/);
  });

  it('says the reason once when the message already holds it', () => {
    expect(formatPrettyMessage({ msg: 'the run crashed: boom', err: 'boom' })).toBe('the run crashed: boom');
  });
});

describe('redactDeep', () => {
  it('redacts every string and keeps the structure and other values', () => {
    expect(redactDeep({ a: [`x ${URL_WITH_PASSWORD}`, 3, null], b: { c: 'token=abc', d: true } })).toEqual({
      a: ['x postgres://app:***@db.internal:5432/app', 3, null],
      b: { c: 'token=***', d: true },
    });
  });
});
