import { existsSync } from 'node:fs';
import { request, type RequestOptions } from 'node:http';

/**
 * True when a Docker engine answers `/_ping` within a second (DOCKER_HOST, else the default
 * socket), so the servers come from testcontainers only where Docker runs and the test run never
 * hangs on a missing daemon.
 */
export async function dockerReachable(): Promise<boolean> {
  const host = process.env.DOCKER_HOST;
  let options: RequestOptions;
  if (!host || host.startsWith('unix://')) {
    const socketPath = host ? host.slice('unix://'.length) : '/var/run/docker.sock';
    if (!existsSync(socketPath)) return false;
    options = { socketPath, path: '/_ping' };
  } else {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    options = { host: url.hostname, port: url.port, path: '/_ping' };
  }
  return new Promise<boolean>((resolve) => {
    const req = request({ ...options, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
