import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { parseLoginForm } from '../helpers/login-form.js';
import { finished, runCli, startCli, waitForLine } from './run-cli.js';

const ADMIN_PASSWORD = 'Admin-Passw0rd!';

/** The user's side, as a browser submits the two forms of the verification page. */
async function approveInBrowser(verificationUri: string, userCode: string): Promise<string> {
  const page = await fetch(verificationUri);
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(await page.text())![1]!;
  const entered = await fetch(verificationUri, { method: 'POST', headers: { cookie }, body: new URLSearchParams({ user_code: userCode, csrf_token: csrf }) });
  const form = parseLoginForm(await entered.text(), entered, verificationUri);
  const done = await fetch(form.action, {
    method: 'POST',
    headers: { cookie },
    body: new URLSearchParams({ ...form.fields, username: 'admin', password: ADMIN_PASSWORD, approved: 'true' }),
  });
  return done.text();
}

describe('authly admin login --device', { timeout: 180_000 }, () => {
  let server: TestServer;
  let dir: string;
  let clientId: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { AUTHLY_ADMIN_PASSWORD: ADMIN_PASSWORD, AUTHLY_ADMIN__DEV_MODE: 'true', AUTHLY_DEVICE_AUTHORIZATION__INTERVAL_SECONDS: '1' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-device-cli-'));
    const { client } = await server.addClient({
      clientType: 'public',
      tokenEndpointAuthMethod: 'none',
      grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      scope: 'admin:clients:read admin:system:read',
    });
    clientId = client.clientId;
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows a code, waits for the browser sign-in elsewhere, then saves a working login', async () => {
    const env = { AUTHLY_API_URL: server.url, AUTHLY_CONFIG_DIR: path.join(dir, 'config') };
    const child = startCli(['admin', 'login', '--device', '--client-id', clientId, '--scope', 'admin:clients:read admin:system:read'], { cwd: dir, env });
    const result = finished(child);
    const [, uri, code] = await waitForLine(child, /Open (\S+) and enter the code ([A-Z]{4}-[A-Z]{4})/);
    expect(await approveInBrowser(uri!, code!)).toContain('Device Connected');
    const done = await result;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain(`Logged in to ${server.url}`);
    expect(done.stdout).toContain('admin:clients:read');

    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'config', 'tokens.json'), 'utf8')) as { client_id: string };
    expect(saved.client_id).toBe(clientId);
    const list = await runCli(['admin', 'client', 'list', '--output', 'json'], { cwd: dir, env });
    expect(list.code, list.stderr).toBe(0);
    const refreshed = await runCli(['admin', 'auth', 'refresh'], { cwd: dir, env });
    expect(refreshed.code, refreshed.stderr).toBe(0);
  });

  it('refuses --device without a client', async () => {
    const result = await runCli(['admin', 'login', '--device'], { cwd: dir, env: { AUTHLY_API_URL: server.url, AUTHLY_CONFIG_DIR: path.join(dir, 'other') } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--client-id');
  });
});

describe('authly admin client registration-token', { timeout: 180_000 }, () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { AUTHLY_ADMIN_PASSWORD: ADMIN_PASSWORD, AUTHLY_ADMIN__DEV_MODE: 'true', AUTHLY_REGISTRATION__POLICY: 'token' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-regtoken-cli-'));
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('mints a token that registers one client', async () => {
    const env = { AUTHLY_API_URL: server.url, AUTHLY_CONFIG_DIR: path.join(dir, 'config') };
    expect((await runCli(['admin', 'login', '-u', 'admin', '-p', ADMIN_PASSWORD], { cwd: dir, env })).code).toBe(0);
    const minted = await runCli(['admin', 'client', 'registration-token', '--uses', '1', '--output', 'json'], { cwd: dir, env });
    expect(minted.code, minted.stderr).toBe(0);
    const { token } = JSON.parse(minted.stdout) as { token: string };
    const register = () =>
      fetch(`${server.url}/api/v1/oauth/register`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: ['https://app.example.com/cb'] }),
      });
    expect((await register()).status).toBe(201);
    expect((await register()).status).toBe(401);
  });
});
