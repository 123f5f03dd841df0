import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './private-postgres.js';

/*
 * Private Redis topologies for one test file, on free ports in temp folders, torn down after:
 * a three-node Redis Cluster, and a master watched by a Sentinel. The shared Redis on 6379 is
 * never touched. Must not import services.ts: a suite sets AUTHLY_TEST_REDIS_URL before that.
 */
function probe(): boolean {
  const ok = ['redis-server', 'redis-cli'].every((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0);
  if (!ok && process.env.CI === 'true') throw new Error('redis-server and redis-cli are needed for the Redis Cluster/Sentinel suites and CI=true');
  if (!ok) console.warn('[skip] Redis Cluster/Sentinel suites skipped: redis-server or redis-cli is not installed.');
  return ok;
}

/** True when redis-server and redis-cli are installed (a failure under CI=true when not). */
export const canRunRedisServers = probe();

/** A running private topology. */
export interface RedisTopology {
  /** `redis-cluster://…` or `redis-sentinel://…/master` */
  readonly url: string;
  stop(): Promise<void>;
}

interface Started {
  child: ChildProcess;
  port: number;
}

function cli(port: number, ...args: string[]): string {
  const result = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function startServer(dir: string, args: string[], port: number, persistence = true): Promise<Started> {
  const noDisk = persistence ? ['--save', '', '--appendonly', 'no'] : [];
  const child = spawn('redis-server', [...args, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...noDisk], { stdio: 'ignore' });
  await until(() => cli(port, 'PING').trim() === 'PONG', `redis-server on ${port}`);
  return { child, port };
}

async function stopAll(started: Started[], dir: string): Promise<void> {
  await Promise.all(
    started.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Three masters (no replicas) with the 16384 slots spread over them. */
export async function startRedisCluster(): Promise<RedisTopology> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-redis-cluster-'));
  const started: Started[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const nodeDir = path.join(dir, `node${i}`);
      fs.mkdirSync(nodeDir);
      const port = await freePort();
      started.push(await startServer(nodeDir, ['--cluster-enabled', 'yes', '--cluster-config-file', path.join(nodeDir, 'nodes.conf')], port));
    }
    const addresses = started.map(({ port }) => `127.0.0.1:${port}`);
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    for (const { port } of started) await until(() => cli(port, 'CLUSTER', 'INFO').includes('cluster_state:ok'), `cluster state ok on ${port}`);
  } catch (error) {
    await stopAll(started, dir);
    throw error;
  }
  return { url: `redis-cluster://${started.map(({ port }) => `127.0.0.1:${port}`).join(',')}`, stop: () => stopAll(started, dir) };
}

/** One master and one Sentinel watching it under the name `authly-master`. */
export async function startRedisSentinel(): Promise<RedisTopology> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-redis-sentinel-'));
  const started: Started[] = [];
  try {
    const master = await startServer(dir, [], await freePort());
    started.push(master);
    const sentinelPort = await freePort();
    const config = path.join(dir, 'sentinel.conf');
    // Sentinel rewrites its config file, so it must be a writable file of its own.
    fs.writeFileSync(config, `sentinel monitor authly-master 127.0.0.1 ${master.port} 1\n`);
    started.push(await startServer(dir, [config, '--sentinel'], sentinelPort, false));
    await until(() => cli(sentinelPort, 'SENTINEL', 'get-master-addr-by-name', 'authly-master').includes(String(master.port)), 'sentinel to know the master');
    return { url: `redis-sentinel://127.0.0.1:${sentinelPort}/authly-master`, stop: () => stopAll(started, dir) };
  } catch (error) {
    await stopAll(started, dir);
    throw error;
  }
}
