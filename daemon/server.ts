import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { messageOf } from './errors.ts';
import { redact } from './log/redact.ts';
import type { Logger } from './log/types.ts';
import type { RunReport, StepReport } from './pipeline/report.ts';

/**
 * /healthz and /status for the watch daemon: a container healthcheck or a script can ask whether
 * the last sync worked and what every target is at. node:http is enough for two read-only routes.
 */

export type DaemonState = 'starting' | 'idle' | 'running' | 'failed';

export interface HealthStatus {
  state: DaemonState;
  /** The last finished run; undefined until the first one ends. */
  lastRun?: RunReport;
  targets: Array<{
    name: string;
    /** Host and database, already redacted (the server masks passwords again anyway). */
    where: string;
    currentVersion?: number;
  }>;
}

/** The JSON body of GET /status: the RunReport with dates as ISO strings, errors as {code, message}, no blockedBy. */
export interface StatusJson {
  state: DaemonState;
  lastRun?: Omit<RunReport, 'startedAt' | 'steps'> & {
    startedAt: string;
    steps: Array<Omit<StepReport, 'error' | 'blockedBy'> & { error?: { code: string; message: string } }>;
  };
  targets: HealthStatus['targets'];
}

export interface HealthServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Defaults to 127.0.0.1: the daemon is a dev tool, not a service to expose. */
  host?: string;
  /** Called on every request; must be cheap and must not throw. */
  getStatus: () => HealthStatus;
  logger: Logger;
}

export interface HealthServer {
  /** The port actually bound. */
  port: number;
  close(): Promise<void>;
}

/** Starts listening; resolves once the port is bound, rejects if it cannot be (e.g. in use). */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((request, response) => {
    try {
      route(request, response, options.getStatus);
    } catch (error) {
      options.logger.error({ event: 'server:error', err: error }, `the status server failed: ${messageOf(error)}`);
      sendJson(response, 500, { ok: false, error: 'internal error' });
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.debug({ event: 'server:listening', port }, `status server listening on http://${host}:${port}`);
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections would otherwise hold close() open for seconds.
        server.closeAllConnections();
      }),
  };
}

function route(request: IncomingMessage, response: ServerResponse, getStatus: () => HealthStatus): void {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendJson(response, 404, { ok: false, error: 'not found' });
    return;
  }
  if (path === '/healthz') {
    const health = healthOf(getStatus());
    sendJson(response, health.statusCode, health.body);
  } else if (path === '/status') {
    sendJson(response, 200, statusToJson(getStatus()));
  } else {
    sendJson(response, 404, { ok: false, error: 'not found' });
  }
}

/**
 * Healthy while the last finished run succeeded, even while the next one runs; 503 `starting`
 * until the first run ends, 503 `failed` after a failed run.
 */
export function healthOf(status: HealthStatus): { statusCode: number; body: Record<string, unknown> } {
  if (status.lastRun === undefined) return { statusCode: 503, body: { ok: false, state: 'starting' } };
  if (status.lastRun.ok) return { statusCode: 200, body: { ok: true } };
  return { statusCode: 503, body: { ok: false, state: 'failed' } };
}

/** The /status body. Error messages and locations pass through `redact()`: no secret leaves. */
export function statusToJson(status: HealthStatus): StatusJson {
  const json: StatusJson = {
    state: status.state,
    targets: status.targets.map((target) => ({ ...target, where: redact(target.where) })),
  };
  const run = status.lastRun;
  if (run) {
    json.lastRun = {
      id: run.id,
      ok: run.ok,
      startedAt: run.startedAt.toISOString(),
      durationMs: run.durationMs,
      trigger: run.trigger,
      steps: run.steps.map((step) => ({
        name: step.name,
        status: step.status,
        durationMs: step.durationMs,
        ...(step.detail === undefined ? {} : { detail: redact(step.detail) }),
        ...(step.error === undefined ? {} : { error: { code: step.error.code, message: redact(step.error.message) } }),
      })),
    };
  }
  return json;
}

function sendJson(response: ServerResponse, statusCode: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(statusCode, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}
