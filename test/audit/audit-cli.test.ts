import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import Database from 'better-sqlite3';
import { runCli } from '../cli/run-cli.js';

const ADMIN_PASSWORD = 'Admin-Passw0rd!';

describe('audit events from the CLI', { timeout: 180_000 }, () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { AUTHLY_ADMIN_PASSWORD: ADMIN_PASSWORD, AUTHLY_AUDIT__SINK: 'database' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-audit-cli-'));
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('authly keys rotate records signing_key.rotated in the log and, with the database sink, in audit_events', async () => {
    const cwd = path.join(dir, 'keys');
    fs.mkdirSync(cwd);
    const rotate = await runCli(['keys', 'rotate'], { cwd, env: { AUTHLY_AUDIT__SINK: 'database' } });
    expect(rotate.code, rotate.stderr).toBe(0);
    const kid = /^created (\S+) /.exec(rotate.stdout)?.[1];
    // A readable line on stderr (no JSON log lines in a command's output), its fields as JSON after the message.
    const line = rotate.stderr.split('\n').find((l) => l.includes('audit: signing_key.rotated'));
    expect(line).toBeDefined();
    expect(line).not.toMatch(/^\{/);
    expect(JSON.parse(line!.slice(line!.indexOf('{')))).toMatchObject({ audit: true, event: 'signing_key.rotated', details: { kid, algorithm: 'ES256' } });
    const db = new Database(path.join(cwd, 'data', 'authly.db'), { readonly: true });
    try {
      expect(db.prepare("SELECT event, json_extract(details, '$.kid') AS kid FROM audit_events").all()).toEqual([{ event: 'signing_key.rotated', kid }]);
    } finally {
      db.close();
    }
  });

  it('authly admin audit list shows stored events, filtered, as a table and as JSON', async () => {
    const env = { AUTHLY_API_URL: server.url, AUTHLY_CONFIG_DIR: path.join(dir, 'config') };
    const login = await runCli(['admin', 'login', '-u', 'admin', '-p', ADMIN_PASSWORD], { cwd: dir, env });
    expect(login.code, login.stderr).toBe(0);
    await server.app.audit.flush();

    const table = await runCli(['admin', 'audit', 'list', '--event', 'login.succeeded'], { cwd: dir, env });
    expect(table.code, table.stderr).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^TIME\s+EVENT\s+USER\s+CLIENT\s+ACTOR\s+DETAILS$/);
    expect(rows.at(-1)).toBe('1 event(s)');
    expect(rows[0]).toMatch(/login\.succeeded/);

    const json = await runCli(['admin', 'audit', 'list', '--event', 'token.issued', '--output', 'json'], { cwd: dir, env });
    expect(json.code, json.stderr).toBe(0);
    const page = JSON.parse(json.stdout) as { total: number; events: { details: { grant: string } }[] };
    expect(page.total).toBe(1);
    expect(page.events[0]!.details.grant).toBe('password');

    const bad = await runCli(['admin', 'audit', 'list', '--from', 'yesterday'], { cwd: dir, env });
    expect(bad.code).toBe(1);
    expect(bad.stdout + bad.stderr).not.toContain(ADMIN_PASSWORD);
  });
});
