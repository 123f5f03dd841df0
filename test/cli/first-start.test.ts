import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, runCli, startCli, waitForLine } from './run-cli.js';

/** A password-grant login without a client, as `authly admin login` does it. */
async function login(url: string, username: string, password: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/api/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A port some other program holds. */
async function occupiedPort(): Promise<net.Server> {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  return blocker;
}

describe('first start on a busy port, then recovery', () => {
  let dir: string;
  let blocker: net.Server;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-first-start-'));
    blocker = await occupiedPort();
  });
  afterAll(() => {
    blocker?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  let shownPassword = '';

  it('names the busy port and how to choose another, and still shows the generated admin password', async () => {
    const port = (blocker.address() as net.AddressInfo).port;
    const result = await runCli(['serve', '--host', '127.0.0.1', '--port', String(port)], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`authly: port ${port} is already in use`);
    expect(result.stderr).toContain('--port');
    expect(result.stderr).toContain('PORT');
    const match = /^\s+password: (\S+)$/m.exec(result.stderr);
    expect(match, result.stderr).not.toBeNull();
    shownPassword = match![1]!;
    // The admin account exists in the fresh database the failed start left behind.
    expect(fs.existsSync(path.join(dir, 'data', 'authly.db'))).toBe(true);
  });

  it('lets the admin log in with that password once the server runs, and recovers it offline', async () => {
    const child = startCli(['serve', '--host', '127.0.0.1', '--port', '0'], { cwd: dir });
    const done = finished(child);
    try {
      const [, url] = (await waitForLine(child, /Authly listening on (http:\/\/[^\s"]+)/)) as unknown as [string, string];
      const first = await login(url, 'admin', shownPassword);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body.requires_password_change).toBe(true);

      // The offline recovery command, while the server runs on the same SQLite file.
      const reset = await runCli(['admin', 'reset-password', 'admin'], { cwd: dir });
      expect(reset.code, reset.stderr).toBe(0);
      const recovered = reset.stdout.trim();
      expect(recovered).toMatch(/^\S{16}$/);
      expect(reset.stderr).toContain('must be changed at the next login');
      expect(reset.stdout + reset.stderr).not.toContain(shownPassword);

      expect((await login(url, 'admin', shownPassword)).status).toBe(400);
      const second = await login(url, 'admin', recovered);
      expect(second.status, JSON.stringify(second.body)).toBe(200);
      expect(second.body.requires_password_change).toBe(true);
      // The token issued with the old password ended with the reset.
      const me = await fetch(`${url}/api/v1/users/me`, { headers: { authorization: `Bearer ${String(first.body.access_token)}` } });
      expect(me.status).toBe(401);
    } finally {
      child.kill('SIGTERM');
      await done;
    }
  });

  it('refuses an unknown user with one line', async () => {
    const result = await runCli(['admin', 'reset-password', 'nobody'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('authly: no user named "nobody" in the configured database');
  });
});
