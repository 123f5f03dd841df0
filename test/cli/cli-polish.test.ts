import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, runCli, startCli } from './run-cli.js';

/** A pino JSON log line. */
const JSON_LOG_LINE = /^\{"level":/m;

/** A TCP port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('authly CLI for people at a terminal', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-cli-polish-'));
  });
  afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it('accepts --config before the command, prints --version, and mixes no JSON log lines into keys rotate', async () => {
    fs.writeFileSync(path.join(cwd, 'authly.yaml'), 'database:\n  sqlite:\n    path: ./chosen.db\n');
    const [status, version, rotate] = await Promise.all([
      runCli(['--config', 'authly.yaml', 'db', 'status'], { cwd }),
      runCli(['--version'], { cwd }),
      runCli(['keys', 'rotate'], { cwd, env: { AUTHLY_DATABASE__SQLITE__PATH: './keys.db' } }),
    ]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^MIGRATION\s+APPLIED$/m);
    expect(fs.existsSync(path.join(cwd, 'chosen.db'))).toBe(true);

    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);

    expect(rotate.code, rotate.stderr).toBe(0);
    expect(rotate.stdout).toMatch(/^created \S+ \(ES256\); it signs from /);
    expect(rotate.stdout + rotate.stderr).not.toMatch(JSON_LOG_LINE);
  });

  it('exits quietly when the reader of its output goes away (| head)', async () => {
    const child = startCli(['db', 'status'], { cwd, env: { AUTHLY_DATABASE__SQLITE__PATH: './pipe.db' } });
    // The reader closes before the first line, as `head -0` would: every write meets EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(code).toBe(0);
  });

  it('says that db status and keys list on the memory backend see a throwaway database', async () => {
    const env = { AUTHLY_DATABASE__BACKEND: 'memory' };
    const [status, keys] = await Promise.all([runCli(['db', 'status'], { cwd, env }), runCli(['keys', 'list'], { cwd, env })]);
    for (const result of [status, keys]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('note: database.backend is memory: this command works on a new, empty in-memory database of its own');
    }
  });

  it('names the Redis server and what to check when cache stats cannot reach it, without its password', async () => {
    const port = await closedPort();
    const child = startCli(['cache', 'stats'], { cwd, env: { AUTHLY_CACHE__BACKEND: 'redis', AUTHLY_REDIS_URL: `redis://:s3cret@127.0.0.1:${port}/0` } });
    const result = await finished(child);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^authly: Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/0 did not answer \\(.+\\): check that Redis runs there and that redis\\.url \\(AUTHLY_REDIS_URL\\) names it$`));
    expect(result.stderr).not.toContain('s3cret');
  });
});
