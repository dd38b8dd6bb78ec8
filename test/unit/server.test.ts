import { afterEach, describe, expect, it } from 'vitest';

import { ToolError } from '../../daemon/errors.ts';
import { silentLogger } from '../../daemon/log/types.ts';
import type { RunReport } from '../../daemon/pipeline/report.ts';
import { startHealthServer, type HealthServer, type HealthStatus } from '../../daemon/server.ts';

const okRun: RunReport = {
  id: 1,
  ok: true,
  startedAt: new Date('2025-01-01T10:00:00.000Z'),
  durationMs: 420,
  trigger: ['migrations/postgres/20250101_x.sql'],
  steps: [{ name: 'apply', status: 'ok', durationMs: 400, detail: 'applied 1 migration' }],
};

const failedRun: RunReport = {
  ...okRun,
  id: 2,
  ok: false,
  steps: [
    {
      name: 'prisma',
      status: 'failed',
      durationMs: 90,
      error: new ToolError('prisma db pull failed against postgres://app:hunter2@db/app', {
        tool: 'prisma',
        exitCode: 1,
        timedOut: false,
        outputTail: 'P1001',
      }),
    },
  ],
};

let server: HealthServer | undefined;
let status: HealthStatus = { state: 'starting', targets: [] };

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(): Promise<string> {
  server = await startHealthServer({ port: 0, getStatus: () => status, logger: silentLogger });
  return `http://127.0.0.1:${server.port}`;
}

async function get(url: string): Promise<{ status: number; body: unknown; type: string | null }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
}

describe('startHealthServer', () => {
  it('binds a free port when asked for port 0', async () => {
    await start();
    expect(server!.port).toBeGreaterThan(0);
  });

  it('answers /healthz 503 starting before the first run, 200 after a good run, 503 after a bad one', async () => {
    const base = await start();
    status = { state: 'starting', targets: [] };
    expect(await get(`${base}/healthz`)).toEqual({
      status: 503,
      type: 'application/json; charset=utf-8',
      body: { ok: false, state: 'starting' },
    });

    status = { state: 'running', lastRun: okRun, targets: [] };
    expect(await get(`${base}/healthz`)).toMatchObject({ status: 200, body: { ok: true } });

    status = { state: 'failed', lastRun: failedRun, targets: [] };
    expect(await get(`${base}/healthz`)).toMatchObject({ status: 503, body: { ok: false, state: 'failed' } });
  });

  it('serves /status as JSON with errors as {code, message} and no passwords', async () => {
    const base = await start();
    status = {
      state: 'failed',
      lastRun: failedRun,
      targets: [
        { name: 'postgres', where: 'postgres://app:hunter2@db:5432/app', currentVersion: 20250101 },
        { name: 'clickhouse', where: 'http://localhost:8123/default' },
      ],
    };
    const response = await fetch(`${base}/status`);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text)).toEqual({
      state: 'failed',
      lastRun: {
        id: 2,
        ok: false,
        startedAt: '2025-01-01T10:00:00.000Z',
        durationMs: 420,
        trigger: ['migrations/postgres/20250101_x.sql'],
        steps: [
          {
            name: 'prisma',
            status: 'failed',
            durationMs: 90,
            error: { code: 'TOOL', message: 'prisma db pull failed against postgres://app:***@db/app' },
          },
        ],
      },
      targets: [
        { name: 'postgres', where: 'postgres://app:***@db:5432/app', currentVersion: 20250101 },
        { name: 'clickhouse', where: 'http://localhost:8123/default' },
      ],
    });
  });

  it('keeps step details and omits lastRun before the first run', async () => {
    const base = await start();
    status = { state: 'idle', lastRun: okRun, targets: [] };
    expect((await get(`${base}/status`)).body).toMatchObject({
      state: 'idle',
      lastRun: { steps: [{ name: 'apply', status: 'ok', durationMs: 400, detail: 'applied 1 migration' }] },
    });
    status = { state: 'starting', targets: [] };
    expect((await get(`${base}/status`)).body).toEqual({ state: 'starting', targets: [] });
  });

  it('answers 404 for other paths and methods, and ignores query strings', async () => {
    const base = await start();
    status = { state: 'idle', lastRun: okRun, targets: [] };
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${base}/healthz?verbose=1`)).status).toBe(200);
  });

  it('answers 500 when the status cannot be read, and keeps serving', async () => {
    const errors: unknown[] = [];
    server = await startHealthServer({
      port: 0,
      getStatus: () => {
        throw new Error('no status yet');
      },
      logger: { ...silentLogger, error: (fields: unknown) => void errors.push(fields) },
    });
    const response = await fetch(`http://127.0.0.1:${server.port}/status`);
    expect(response.status).toBe(500);
    expect(errors).toHaveLength(1);
    expect((await fetch(`http://127.0.0.1:${server.port}/nothing`)).status).toBe(404);
  });

  it('closes promptly even with a keep-alive connection open, and frees the port', async () => {
    const base = await start();
    await fetch(`${base}/healthz`);
    const port = server!.port;
    await server!.close();
    server = undefined;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    // The port can be bound again.
    server = await startHealthServer({ port, getStatus: () => status, logger: silentLogger });
    expect(server.port).toBe(port);
  });

  it('rejects when the port is taken', async () => {
    await start();
    await expect(startHealthServer({ port: server!.port, getStatus: () => status, logger: silentLogger })).rejects.toThrow(/EADDRINUSE/);
  });
});
