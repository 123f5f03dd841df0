import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { obtainCode } from '../helpers/oauth-flow.js';
import { HASH_PATTERNS } from '../protection/api-client.js';
import { runCli, startCli, finished, type CliResult } from './run-cli.js';

const ADMIN_PASSWORD = 'Admin-Passw0rd!';

// Each CLI start costs about two seconds of CPU (tsx), so tests with many commands get more time.
describe('authly admin against a live server', { timeout: 180_000 }, () => {
  let server: TestServer;
  let dir: string;
  let configDir: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { AUTHLY_ADMIN_PASSWORD: ADMIN_PASSWORD });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-admin-cli-'));
    configDir = path.join(dir, 'config');
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function admin(...args: string[]): Promise<CliResult> {
    const result = await runCli(['admin', ...args], { cwd: dir, env: { AUTHLY_API_URL: server.url, AUTHLY_CONFIG_DIR: configDir } });
    for (const pattern of HASH_PATTERNS) expect(result.stdout + result.stderr).not.toMatch(pattern);
    return result;
  }
  function ok(result: CliResult): string {
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  }
  const json = <T>(result: CliResult): T => JSON.parse(ok(result)) as T;

  it('refuses commands before login with a one-line error', async () => {
    const result = await admin('client', 'list');
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('authly: not logged in: run `authly admin login`');
  });

  it('reports a wrong password without saving anything', async () => {
    const result = await admin('login', '-u', 'admin', '-p', 'wrong');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('authly: Incorrect username or password');
    expect(fs.existsSync(path.join(configDir, 'tokens.json'))).toBe(false);
  });

  it('logs in with the password grant, saves the token with mode 0600, and shows who is logged in', async () => {
    const loginRun = await admin('login', '-u', 'admin', '-p', ADMIN_PASSWORD);
    expect(loginRun.stderr).toContain(`Logging in to ${server.url} (AUTHLY_API_URL)`);
    const out = ok(loginRun);
    expect(out).toContain(`Logged in to ${server.url} as admin`);
    expect(out).toContain('admin:clients:write');
    const file = path.join(configDir, 'tokens.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(saved).toMatchObject({ token_type: 'Bearer', api_url: server.url });
    expect(Date.parse(saved.expires_at)).toBeGreaterThan(Date.now());

    const who = ok(await admin('whoami', '-v'));
    expect(who).toMatch(/^username:\s+admin$/m);
    expect(who).toMatch(/^admin:\s+yes$/m);
    expect(who).toMatch(/^scopes:\s+admin:clients:read/m);
    expect(ok(await admin('auth', 'whoami'))).toMatch(/^username:\s+admin$/m);
  });

  it('shows the status', async () => {
    const out = ok(await admin('status'));
    expect(out).toContain('Admin API: healthy');
    expect(out).toMatch(/^status:\s+operational$/m);
    expect(out).toMatch(/^database:\s+connected \(sqlite\)$/m);
  });

  it('creates, lists, shows, updates, regenerates and deactivates a client', async () => {
    const created = ok(await admin('client', 'create', '--name', 'CLI App', '--type', 'confidential', '--redirect-uri', 'https://cli.example.com/cb', '--redirect-uri', 'https://cli.example.com/cb2', '--scope', 'read write'));
    const clientId = /^client_id:\s+(\S+)$/m.exec(created)?.[1];
    expect(clientId).toMatch(/^client_/);
    expect(created).toMatch(/^client_secret: [A-Za-z0-9_-]{43}$/m);
    expect(created).toMatch(/^scopes:\s+read, write$/m);

    // Independent reads run side by side: each CLI start costs about two seconds.
    const [tableRun, listRun, showRun, refused] = await Promise.all([
      admin('client', 'list'),
      admin('client', 'list', '--output', 'json'),
      admin('client', 'show', clientId!, '--output', 'json'),
      admin('client', 'regenerate-secret', clientId!),
    ]);
    const table = ok(tableRun);
    expect(table.split('\n')[0]).toMatch(/^CLIENT_ID\s+NAME\s+TYPE\s+ACTIVE\s+SCOPE\s+REDIRECT_URIS$/);
    expect(table).toContain(clientId!);
    const listed = json<{ client_id: string; client_secret_hash: null }[]>(listRun);
    expect(listed.find((c) => c.client_id === clientId)?.client_secret_hash).toBeNull();
    const shown = json<{ client_name: string; redirect_uris: string[] }>(showRun);
    expect(shown).toMatchObject({ client_name: 'CLI App', redirect_uris: ['https://cli.example.com/cb', 'https://cli.example.com/cb2'] });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('pass --confirm');

    const [updated, regenerated] = await Promise.all([admin('client', 'update', clientId!, '--name', 'Renamed App'), admin('client', 'regenerate-secret', clientId!, '--confirm')]);
    expect(ok(updated)).toMatch(/^name:\s+Renamed App$/m);
    expect(ok(regenerated)).toMatch(/^New client secret: [A-Za-z0-9_-]{43}$/m);

    expect(ok(await admin('client', 'delete', clientId!, '--confirm'))).toContain('Client deactivated successfully');
    const inactive = json<{ client_id: string; is_active: boolean }[]>(await admin('client', 'list', '--show-inactive', '--output', 'json'));
    expect(inactive.find((c) => c.client_id === clientId)?.is_active).toBe(false);
    const missing = await admin('client', 'show', clientId!);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`authly: Client not found: ${clientId}`);
  });

  it('registers a private_key_jwt client with a JWK Set file and the PAR and DPoP flags, then changes them', async () => {
    const jwksFile = path.join(dir, 'jwks.json');
    fs.writeFileSync(jwksFile, JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', kid: 'k1', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] }));
    const created = json<{ client_id: string; client_secret: string | null; token_endpoint_auth_method: string; jwks: unknown; require_pushed_authorization_requests: boolean; dpop_bound_access_tokens: boolean }>(
      await admin('client', 'create', '--name', 'Key App', '--type', 'confidential', '--redirect-uri', 'https://keys.example.com/cb', '--auth-method', 'private_key_jwt', '--jwks', `@${jwksFile}`, '--require-par', '--dpop-bound', '--output', 'json'),
    );
    expect(created).toMatchObject({ client_secret: null, token_endpoint_auth_method: 'private_key_jwt', require_pushed_authorization_requests: true, dpop_bound_access_tokens: true });
    expect(created.jwks).toMatchObject({ keys: [{ kid: 'k1' }] });
    const updated = json<{ jwks: unknown; jwks_uri: string; dpop_bound_access_tokens: boolean }>(
      await admin('client', 'update', created.client_id, '--jwks', '', '--jwks-uri', 'https://keys.example.com/jwks.json', '--no-dpop-bound', '--output', 'json'),
    );
    expect(updated).toMatchObject({ jwks: null, jwks_uri: 'https://keys.example.com/jwks.json', dpop_bound_access_tokens: false });
  });

  it('creates, lists, shows, updates and deactivates a scope', async () => {
    expect(ok(await admin('scope', 'create', '--name', 'reports:read', '--description', 'Read reports'))).toMatch(/^scope_name:\s+reports:read$/m);
    const [list, shown, bad] = await Promise.all([
      admin('scope', 'list'),
      admin('scope', 'show', 'reports:read', '--output', 'json'),
      admin('scope', 'create', '--name', 'has space'),
    ]);
    expect(ok(list)).toMatch(/^reports:read\s+no\s+yes\s+Read reports$/m);
    expect(json<{ description: string }>(shown).description).toBe('Read reports');
    expect(ok(await admin('scope', 'update', 'reports:read', '--make-default'))).toMatch(/^is_default:\s+yes$/m);
    expect(ok(await admin('scope', 'defaults'))).toContain('reports:read');
    expect(ok(await admin('scope', 'delete', 'reports:read', '--confirm'))).toContain('Scope deactivated successfully');
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('authly: Scope name cannot contain spaces');
  });

  it('creates a user with a temporary password, finds it by name, manages its sessions, resets and deletes it', async () => {
    const created = ok(await admin('user', 'create', '--username', 'cli_user', '--email', 'cli_user@example.com', '--generate-password', '--verified'));
    const temporary = /^temporary_password: (\S+)$/m.exec(created)?.[1];
    expect(temporary).toHaveLength(12);
    expect(created).toMatch(/^requires_password_change:\s+yes$/m);

    // The new user logs in twice (its own config folder), then the admin looks at its sessions.
    const userEnv = { AUTHLY_API_URL: server.url, AUTHLY_CONFIG_DIR: path.join(dir, 'user-config') };
    const userLogin = await runCli(['admin', 'login', '-u', 'cli_user', '-p', temporary!], { cwd: dir, env: userEnv });
    expect(userLogin.code, userLogin.stderr).toBe(0);
    expect(userLogin.stderr).toContain('warning: this password must be changed');
    expect(userLogin.stderr).toContain('warning: admin API check failed: Administrative privileges required');

    const [listRun, showRun, sessionsRun] = await Promise.all([
      admin('user', 'list', '--search', 'cli_user'),
      admin('user', 'show', 'cli_user', '--output', 'json'),
      admin('user', 'sessions', 'cli_user'),
    ]);
    const list = ok(listRun);
    expect(list).toMatch(/cli_user\s+cli_user@example\.com\s+yes\s+yes\s+no\s+1/);
    expect(list).toContain('1 user(s)');
    expect(json<{ username: string }>(showRun).username).toBe('cli_user');
    expect(ok(sessionsRun)).toContain('2 token(s), 1 active access token(s)');

    expect(ok(await admin('user', 'update', 'cli_user', '--given-name', 'Cli', '--deactivate'))).toMatch(/^active:\s+no$/m);
    const reset = ok(await admin('user', 'reset-password', 'cli_user', '--confirm'));
    expect(reset).toMatch(/^Temporary password: \S{12}$/m);
    // Deactivating the user just above already revoked its tokens.
    expect(reset).toContain('0 session(s) revoked');
    expect(ok(await admin('user', 'revoke-sessions', 'cli_user', '--confirm'))).toMatch(/Successfully revoked 0 active sessions/);

    expect(ok(await admin('user', 'delete', 'cli_user', '--confirm'))).toContain('User cli_user deleted');
    const gone = await admin('user', 'show', 'cli_user');
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim()).toBe('authly: no user named cli_user');
  });

  it("lists a user's grants and revokes one with its tokens", async () => {
    await obtainCode(server, server.confidential.client.clientId, { scope: 'read' });
    const grants = json<Array<{ grant_id: string; client_id: string; scopes: string[] }>>(await admin('user', 'grants', server.user.username, '--output', 'json'));
    expect(grants).toEqual([expect.objectContaining({ client_id: server.confidential.client.clientId, scopes: ['read'] })]);
    const grantId = grants[0]!.grant_id;
    expect(ok(await admin('user', 'grants', server.user.username, '--revoke', grantId, '--confirm'))).toContain(`revoked grant ${grantId}`);
    expect(ok(await admin('user', 'grants', server.user.username))).toContain('0 grant(s)');
    const again = await admin('user', 'grants', server.user.username, '--revoke', grantId, '--confirm');
    expect(again.code).toBe(1);
  });

  it('reports the server\'s validation messages', async () => {
    const [weak, invalid] = await Promise.all([
      admin('user', 'create', '--username', 'weak_user', '--email', 'weak@example.com', '--password', 'alllowercase1!'),
      admin('client', 'create', '--name', 'x', '--type', 'weird', '--redirect-uri', 'https://x'),
    ]);
    expect(weak.code).toBe(1);
    expect(weak.stderr.trim()).toBe('authly: Password must contain at least one uppercase letter');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^authly: client_type: /);
  });

  it('reads the password from stdin when -p is absent', async () => {
    const child = startCli(['admin', 'login', '-u', 'admin'], { cwd: dir, env: { AUTHLY_API_URL: server.url, AUTHLY_CONFIG_DIR: path.join(dir, 'stdin-config') } });
    child.stdin.end(`${ADMIN_PASSWORD}\n`);
    const result = await finished(child);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('as admin');
  });

  it('changes the own password after a login that requires it, reading piped answers, and logs in again', async () => {
    ok(await admin('user', 'create', '--username', 'cli_pw', '--email', 'cli_pw@example.com', '--password', 'First-Passw0rd!', '--require-password-change', '--verified'));
    const env = { AUTHLY_API_URL: server.url, AUTHLY_CONFIG_DIR: path.join(dir, 'pw-config') };
    const login = await runCli(['admin', 'login', '-u', 'cli_pw', '-p', 'First-Passw0rd!'], { cwd: dir, env });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stderr).toContain('warning: this password must be changed: run `authly admin change-password`');

    const mismatch = startCli(['admin', 'change-password'], { cwd: dir, env });
    mismatch.stdin.end('First-Passw0rd!\nSecond-Passw0rd!\nSecond-Passw0rd?\n');
    const refused = await finished(mismatch);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe('authly: the two new passwords differ; nothing was changed');

    const child = startCli(['admin', 'change-password'], { cwd: dir, env });
    child.stdin.end('First-Passw0rd!\nSecond-Passw0rd!\nSecond-Passw0rd!\n');
    const changed = await finished(child);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toContain('Password of cli_pw changed; logged in again with the new one');
    expect(changed.stdout + changed.stderr).not.toContain('Second-Passw0rd!');

    // The saved login is the new one, and the flag is gone.
    const who = await runCli(['admin', 'whoami'], { cwd: dir, env });
    expect(who.stdout).toMatch(/^username:\s+cli_pw$/m);
    const status = await fetch(`${server.url}/api/v1/auth/password-status`, {
      headers: { authorization: `Bearer ${JSON.parse(fs.readFileSync(path.join(dir, 'pw-config', 'tokens.json'), 'utf8')).access_token}` },
    });
    expect(await status.json()).toEqual({ requires_password_change: false, username: 'cli_pw' });
    const old = await runCli(['admin', 'login', '-u', 'cli_pw', '-p', 'First-Passw0rd!'], { cwd: dir, env });
    expect(old.code).toBe(1);
  });

  it('logs in to --api-url, AUTHLY_API_URL or the default, never silently to the saved server', async () => {
    // A saved login exists (configDir), but login names its server afresh.
    const flagRun = await runCli(['admin', '--api-url', 'http://127.0.0.1:9', 'login', '-u', 'admin', '-p', 'x'], { cwd: dir, env: { AUTHLY_CONFIG_DIR: configDir } });
    expect(flagRun.stderr).toContain('Logging in to http://127.0.0.1:9 (--api-url)');
    expect(flagRun.code).toBe(1);
    const defaultRun = await runCli(['admin', 'login', '-u', 'admin', '-p', 'x'], { cwd: dir, env: { AUTHLY_CONFIG_DIR: configDir } });
    expect(defaultRun.stderr).toMatch(/^Logging in to http:\/\/localhost:8000 \(the default; set --api-url or AUTHLY_API_URL/);
    // Other commands keep using the saved login's server.
    expect(ok(await runCli(['admin', 'whoami'], { cwd: dir, env: { AUTHLY_CONFIG_DIR: configDir } }))).toMatch(/^username:\s+admin$/m);
  });

  it('logs out: revokes the tokens and deletes the file', async () => {
    const saved = JSON.parse(fs.readFileSync(path.join(configDir, 'tokens.json'), 'utf8'));
    expect(ok(await admin('logout'))).toBe('Logged out\n');
    expect(fs.existsSync(path.join(configDir, 'tokens.json'))).toBe(false);
    const me = await fetch(`${server.url}/api/v1/users/me`, { headers: { authorization: `Bearer ${saved.access_token}` } });
    expect(me.status).toBe(401);
    await me.text();
    expect(ok(await admin('logout'))).toBe('Not logged in\n');
  });

  it('says which URL it cannot reach', async () => {
    const result = await runCli(['admin', 'status', '--api-url', 'http://127.0.0.1:2'], { cwd: dir, env: { AUTHLY_CONFIG_DIR: configDir } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^authly: cannot reach the Authly API at http:\/\/127\.0\.0\.1:2: ECONNREFUSED/);
  });
});
