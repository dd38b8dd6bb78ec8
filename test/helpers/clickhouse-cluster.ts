import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from '../../daemon/util/ports.ts';

/**
 * A throwaway replicated ClickHouse cluster for tests (after /work/shared/research/chcluster.sh):
 * one standalone ZooKeeper (Debian's `zookeeper` package, run as a plain JVM) and two
 * clickhouse-server processes configured as two replicas of one shard of the cluster
 * `schemasync_test`, with `remote_servers`, `macros` ({cluster}, {shard}, {replica}) and
 * `distributed_ddl`. Every path is inside one temp folder and every port is a free loopback
 * port chosen at start, so it never collides with the single server of global-setup.
 * Processes are stopped by their ChildProcess handles, never by name.
 */
export const CLUSTER_NAME = 'schemasync_test';

const ZK_JAR = '/usr/share/java/zookeeper.jar';
const SLF4J_BINDING = '/usr/share/java/slf4j-simple.jar';
/** Short ZooKeeper sessions: a stopped replica is noticed quickly, which keeps fault tests short. */
const ZK_SESSION_MS = 6000;

export interface ClusterReplica {
  /** 1 or 2; its macro {replica} is `r1` / `r2`. */
  readonly n: number;
  readonly httpPort: number;
  readonly tcpPort: number;
  /** `http://default:@127.0.0.1:<http>` (no database path). */
  readonly url: string;
  /** True while the process runs. */
  running(): boolean;
  /** Graceful stop (SIGTERM): its ZooKeeper session closes at once. Keeps the data. */
  stop(): Promise<void>;
  /** Starts it again on the same folder and ports; resolves when it answers and sees ZooKeeper. */
  start(): Promise<void>;
  /** One statement over HTTP (plain fetch, not the code under test); returns the body. */
  query(sql: string, params?: Record<string, string>): Promise<string>;
}

export interface ClickHouseCluster {
  readonly name: string;
  readonly replicas: [ClusterReplica, ClusterReplica];
  readonly zookeeper: { readonly port: number; stop(): Promise<void>; start(): Promise<void> };
  /** Stops everything and removes the folder. */
  stop(): Promise<void>;
}

function findClickHouse(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/usr/bin', '/usr/local/bin']);
  for (const dir of dirs) if (dir && existsSync(join(dir, 'clickhouse-server'))) return join(dir, 'clickhouse-server');
  return undefined;
}

function findJava(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/bin']);
  for (const dir of dirs) if (dir && existsSync(join(dir, 'java'))) return join(dir, 'java');
  return undefined;
}

/** Why a cluster cannot be started here, or undefined when it can. */
export function clickhouseClusterMissing(): string | undefined {
  if (!findClickHouse()) return 'no clickhouse-server binary (apt-get install clickhouse-server)';
  if (!existsSync(ZK_JAR)) return `${ZK_JAR} missing (apt-get install zookeeper)`;
  if (!findJava()) return 'no java runtime for ZooKeeper';
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, timeoutMs: number, alive: () => boolean, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${what}: the process exited`);
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what}: not ready within ${timeoutMs / 1000} s`);
}

/** A ZooKeeper four-letter word over a plain socket. */
function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.end(word));
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', () => resolve(''));
  });
}

async function terminate(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function httpQuery(port: number, sql: string, params: Record<string, string> = {}): Promise<string> {
  const search = new URLSearchParams(params).toString();
  const response = await fetch(`http://127.0.0.1:${port}/?${search}`, { method: 'POST', body: sql, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse :${port} refused ${sql.slice(0, 80)}: ${text.slice(0, 500)}`);
  return text;
}

function replicaConfig(dir: string, n: number, ports: { http: number; tcp: number; interserver: number }, tcpPorts: number[], zkPort: number): string {
  const replicas = tcpPorts.map((port) => `<replica><host>127.0.0.1</host><port>${port}</port></replica>`).join('');
  // `<yandex>` is the root tag 18.x requires; current servers still accept it.
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>information</level><log>${dir}/logs/server.log</log><errorlog>${dir}/logs/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <mlock_executable>false</mlock_executable>
  <max_table_size_to_drop>0</max_table_size_to_drop>
  <keep_alive_timeout>1</keep_alive_timeout>
  <shutdown_wait_unfinished>1</shutdown_wait_unfinished>
  <remote_servers><${CLUSTER_NAME}><shard><internal_replication>true</internal_replication>${replicas}</shard></${CLUSTER_NAME}></remote_servers>
  <zookeeper>
    <node index="1"><host>127.0.0.1</host><port>${zkPort}</port></node>
    <session_timeout_ms>${ZK_SESSION_MS}</session_timeout_ms>
    <operation_timeout_ms>3000</operation_timeout_ms>
  </zookeeper>
  <macros><cluster>${CLUSTER_NAME}</cluster><shard>01</shard><replica>r${n}</replica></macros>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
</yandex>
`;
}

const USERS = `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`;

/** Starts ZooKeeper and both replicas (about 1-3 s); throws with the logs' tails when one fails. */
export async function startClickHouseCluster(): Promise<ClickHouseCluster> {
  const missing = clickhouseClusterMissing();
  if (missing) throw new Error(`cannot start a ClickHouse cluster: ${missing}`);
  const clickhouse = findClickHouse()!;
  const java = findJava()!;
  const root = await mkdtemp(join(tmpdir(), 'schemasync-chcluster-'));
  const zkPort = await freePort();
  const ports = [1, 2].map(() => ({ http: 0, tcp: 0, interserver: 0 }));
  for (const p of ports) [p.http, p.tcp, p.interserver] = [await freePort(), await freePort(), await freePort()];

  // ZooKeeper, standalone; no admin server (it would take port 8080), no fsync (test data).
  const zkDir = join(root, 'zk');
  await mkdir(join(zkDir, 'data'), { recursive: true });
  await writeFile(
    join(zkDir, 'zoo.cfg'),
    [
      'tickTime=1000',
      `dataDir=${zkDir}/data`,
      `clientPort=${zkPort}`,
      'clientPortAddress=127.0.0.1',
      'maxClientCnxns=100',
      'minSessionTimeout=2000',
      'maxSessionTimeout=60000',
      'admin.enableServer=false',
      '4lw.commands.whitelist=ruok,srvr',
      'forceSync=no',
      '',
    ].join('\n'),
  );
  let zk: ChildProcess | undefined;
  let zkLog = '';
  const classPath = existsSync(SLF4J_BINDING) ? `${ZK_JAR}:${SLF4J_BINDING}` : ZK_JAR;
  const startZooKeeper = async () => {
    zk = spawn(
      java,
      [
        '-Xms32m',
        '-Xmx256m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-XX:-UsePerfData',
        `-Djava.io.tmpdir=${zkDir}`,
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
        '-cp',
        classPath,
        'org.apache.zookeeper.server.ZooKeeperServerMain',
        join(zkDir, 'zoo.cfg'),
      ],
      { cwd: zkDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer) => void (zkLog = (zkLog + chunk.toString()).slice(-4000));
    zk.stdout?.on('data', keep);
    zk.stderr?.on('data', keep);
    const child = zk;
    // `ruok` answers before sessions are accepted; `srvr` shows a Mode only once it serves.
    await until(
      'ZooKeeper',
      60_000,
      () => child.exitCode === null,
      async () => /Mode: standalone/.test(await fourLetterWord(zkPort, 'srvr')),
    );
  };

  const children: Array<ChildProcess | undefined> = [undefined, undefined];
  const replicas = [1, 2].map((n): ClusterReplica => {
    const dir = join(root, `r${n}`);
    const p = ports[n - 1]!;
    let stderr = '';
    const start = async () => {
      const child = spawn(clickhouse, [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr?.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)));
      children[n - 1] = child;
      try {
        await until(
          `replica r${n}`,
          60_000,
          () => child.exitCode === null,
          async () => (await httpQuery(p.http, 'SELECT 1')).trim() === '1',
        );
        await until(
          `replica r${n} sees ZooKeeper`,
          60_000,
          () => child.exitCode === null,
          async () => {
            await httpQuery(p.http, "SELECT count() FROM system.zookeeper WHERE path = '/'");
            return true;
          },
        );
      } catch (error) {
        const log = await readFile(join(dir, 'logs', 'error.log'), 'utf8').catch(() => '');
        throw new Error(`${(error as Error).message}\n${stderr}\n${log.slice(-2000)}`);
      }
    };
    return {
      n,
      httpPort: p.http,
      tcpPort: p.tcp,
      url: `http://default:@127.0.0.1:${p.http}`,
      running: () => children[n - 1]?.exitCode === null && children[n - 1]?.signalCode === null,
      stop: () => terminate(children[n - 1]),
      start,
      query: (sql, params) => httpQuery(p.http, sql, params),
    };
  });

  const stopAll = async () => {
    await Promise.allSettled(children.map((child) => terminate(child)));
    await terminate(zk);
    await rm(root, { recursive: true, force: true });
  };
  try {
    const tcpPorts = ports.map((p) => p.tcp);
    for (const [i, p] of ports.entries()) {
      const dir = join(root, `r${i + 1}`);
      await mkdir(join(dir, 'logs'), { recursive: true });
      await writeFile(join(dir, 'config.xml'), replicaConfig(dir, i + 1, p, tcpPorts, zkPort));
      await writeFile(join(dir, 'users.xml'), USERS);
    }
    await startZooKeeper().catch((error: Error) => {
      throw new Error(`${error.message}\n${zkLog}`);
    });
    await Promise.all(replicas.map((replica) => replica.start()));
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    name: CLUSTER_NAME,
    replicas: replicas as [ClusterReplica, ClusterReplica],
    zookeeper: { port: zkPort, stop: () => terminate(zk), start: startZooKeeper },
    stop: stopAll,
  };
}
