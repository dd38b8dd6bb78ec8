import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { dockerReachable } from './docker.ts';
import { freePort } from '../../daemon/util/ports.ts';

/**
 * A ClickHouse server for the test run, first of:
 * 1. `TEST_CLICKHOUSE_URL` (`http://user:password@host:8123`), used as is;
 * 2. testcontainers' ClickHouse module when a Docker engine answers (checked in < 1 s);
 * 3. a local `clickhouse-server` binary (PATH, /usr/sbin, /usr/bin, or `clickhouse server`),
 *    started in a temp folder with a generated config: free ports on 127.0.0.1 only, all paths
 *    inside the folder, user `default` with a password (so the password path is exercised).
 * The returned `url` has no database path; tests create their own databases.
 */
export async function startClickHouseServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const fromEnv = process.env.TEST_CLICKHOUSE_URL;
  if (fromEnv) return { url: fromEnv.replace(/\/+$/, ''), stop: async () => {} };
  if (await dockerReachable()) return startContainer();
  return startLocalBinary();
}

/** Native-protocol port of the last local server started, for goose's clickhouse driver. */
export interface LocalClickHouse {
  url: string;
  tcpPort: number;
  stop(): Promise<void>;
  /** Kills the server (SIGKILL: an outage, not a shutdown) and keeps its folder and ports. */
  kill(): Promise<void>;
  /** Starts the killed server again on the same folder and ports; resolves when it answers. */
  restart(): Promise<void>;
}

async function startContainer(): Promise<{ url: string; stop(): Promise<void> }> {
  const { ClickHouseContainer } = await import('@testcontainers/clickhouse');
  const container = await new ClickHouseContainer('clickhouse/clickhouse-server:24.8').withPassword('test-password').start();
  const url = `http://${container.getUsername()}:${container.getPassword()}@${container.getHost()}:${container.getHttpPort()}`;
  return { url, stop: async () => void (await container.stop()) };
}

function findBinary(): { command: string; args: string[] } {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/usr/bin', '/usr/local/bin']);
  for (const dir of dirs) {
    if (dir && existsSync(join(dir, 'clickhouse-server'))) return { command: join(dir, 'clickhouse-server'), args: [] };
  }
  for (const dir of dirs) {
    if (dir && existsSync(join(dir, 'clickhouse'))) return { command: join(dir, 'clickhouse'), args: ['server'] };
  }
  throw new Error('No ClickHouse server: set TEST_CLICKHOUSE_URL, start Docker, or install clickhouse-server (apt install clickhouse-server).');
}

/** Why startLocalBinary cannot start a server (no clickhouse-server binary), or undefined when it can. */
export function localClickHouseMissing(): string | undefined {
  try {
    findBinary();
    return undefined;
  } catch {
    return 'no local clickhouse-server binary (on PATH, /usr/sbin, /usr/bin or /usr/local/bin)';
  }
}

const PASSWORD = 'schemasync-test';

/** Starts a throwaway local server. Exported for goose tests that need its native TCP port. */
export async function startLocalBinary(): Promise<LocalClickHouse> {
  const binary = findBinary();
  const dir = await mkdtemp(join(tmpdir(), 'schemasync-clickhouse-'));
  const [http, tcp, interserver] = [await freePort(), await freePort(), await freePort()];
  // `<yandex>` is the root tag 18.x requires; current servers still accept it.
  await writeFile(
    join(dir, 'config.xml'),
    `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/log/server.log</log><errorlog>${dir}/log/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${http}</http_port>
  <tcp_port>${tcp}</tcp_port>
  <interserver_http_port>${interserver}</interserver_http_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709120</mark_cache_size>
  <mlock_executable>false</mlock_executable>
</yandex>
`,
  );
  await writeFile(
    join(dir, 'users.xml'),
    `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users><default><password>${PASSWORD}</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`,
  );
  // Runs fine as root when given its own config; the Debian init script is what switches users.
  let stderr = '';
  const launch = () => {
    const started = spawn(binary.command, [...binary.args, `--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    started.stderr?.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)));
    return started;
  };
  let child = launch();
  const url = `http://default:${PASSWORD}@127.0.0.1:${http}`;
  const stop = async () => {
    await terminate(child);
    await rm(dir, { recursive: true, force: true });
  };
  const answering = async () => {
    try {
      await waitForPing(`http://127.0.0.1:${http}/ping`, child, 20_000);
    } catch (error) {
      const log = await readFile(join(dir, 'log', 'error.log'), 'utf8').catch(() => '');
      await stop();
      throw new Error(`${(error as Error).message}\n${stderr}\n${log.slice(-2000)}`);
    }
  };
  await answering();
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  };
  const restart = async () => {
    child = launch();
    await answering();
  };
  return { url, tcpPort: tcp, stop, kill, restart };
}

async function waitForPing(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`clickhouse-server exited early (${child.exitCode ?? child.signalCode}).`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(500) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`clickhouse-server did not answer ${url} within ${timeoutMs / 1000} s.`);
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
