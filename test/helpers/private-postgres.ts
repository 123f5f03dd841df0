import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/*
 * A PostgreSQL cluster of a test's own, in a temp folder on a free port, which the test may stop
 * and start: the shared server on 5432 is never touched. initdb refuses to run as root, so as
 * root the binaries run as the `postgres` OS user (data folder owned by it).
 */

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(root, versions[0], 'bin');
}

function postgresUser(): { uid: number; gid: number } | undefined {
  const result = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (result.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(result.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

const BIN = binDir();
const IS_ROOT = process.getuid?.() === 0;
const OWNER = IS_ROOT ? postgresUser() : undefined;

function probe(): boolean {
  const ok = BIN !== undefined && (!IS_ROOT || OWNER !== undefined);
  if (!ok) {
    const why = BIN === undefined ? 'no initdb under /usr/lib/postgresql/*/bin' : 'running as root without a postgres OS user';
    if (process.env.CI === 'true') throw new Error(`a private PostgreSQL cluster cannot be started (${why}) and CI=true`);
    console.warn(`[skip] private-PostgreSQL suites skipped: ${why}.`);
  }
  return ok;
}

/** True when this machine can run a private cluster (a failure under CI=true when it cannot). */
export const canRunPrivatePostgres = probe();

function run(binary: string, args: readonly string[]): void {
  const command = path.join(BIN as string, binary);
  const [file, argv] = IS_ROOT ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, [...args]];
  execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A free TCP port on 127.0.0.1 (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A running private cluster (trust authentication, user `postgres`). */
export interface PrivatePostgres {
  readonly port: number;
  /** URL of `database` on this cluster. */
  url(database?: string): string;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown: sessions are ended (57P01), new connections refused. */
  stop(): void;
  start(): void;
  /** Stops the cluster and deletes its folder. */
  destroy(): void;
}

/** initdb + pg_ctl start in a new temp folder; a few seconds. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-pg-'));
  if (OWNER) fs.chownSync(dir, OWNER.uid, OWNER.gid);
  const data = path.join(dir, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  let running = false;
  const cluster: PrivatePostgres = {
    port,
    url: (database = 'postgres') => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    async createDatabase(name) {
      const admin = new pg.Client({ connectionString: cluster.url() });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name}"`);
      } finally {
        await admin.end();
      }
      return cluster.url(name);
    },
    start() {
      run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
      running = true;
    },
    stop() {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      running = false;
    },
    destroy() {
      try {
        if (running) cluster.stop();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  cluster.start();
  return cluster;
}
