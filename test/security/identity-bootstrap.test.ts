import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createApplication, type Application } from '../../src/app/application.js';
import { loadConfig } from '../../src/config/index.js';
import { BootstrapConflictError } from '../../src/services/bootstrap.js';
import { runCli } from '../cli/run-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { hasPostgres } from '../helpers/services.js';

/*
 * Rule: bootstrap never promotes an existing account. Self-registration is open, so an attacker
 * can register the name the operator is about to configure as the admin; starting with
 * AUTHLY_ADMIN_USERNAME set to it must refuse, naming the conflict, rather than hand the admin
 * role (with the attacker's password) to that account.
 */
const OPERATOR_PASSWORD = 'Operator-Passw0rd!';
const ATTACKER_PASSWORD = 'Attacker-Passw0rd!';

interface Deployment {
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

async function deployment(backend: 'sqlite' | 'postgresql'): Promise<Deployment> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-bootstrap-'));
  let pg: TestDatabase | undefined;
  const env: Record<string, string> = {
    AUTHLY_SECRETS__MASTER_KEY: randomBytes(32).toString('base64url'),
    AUTHLY_LOGGING__LEVEL: 'silent',
  };
  if (backend === 'postgresql') {
    pg = await createTestDatabase('authly_boot');
    env.DATABASE_URL = pg.url;
  } else {
    env.AUTHLY_DATABASE__SQLITE__PATH = path.join(dir, 'authly.db');
  }
  return {
    env,
    async cleanup() {
      await pg?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function start(env: Record<string, string>): Promise<Application> {
  const config = loadConfig({ env, flags: { host: '127.0.0.1', port: '0' } });
  return createApplication(config, { logger: pino({ level: 'silent' }), version: 'test' });
}

async function passwordGrant(app: Application, username: string, password: string) {
  const res = await app.server.inject({
    method: 'POST',
    url: '/api/v1/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'password', username, password, scope: 'admin:users:read' }).toString(),
  });
  return { status: res.statusCode, json: res.json() as Record<string, unknown> };
}

/** Starts once with the default admin and lets the attacker self-register `root` over HTTP. */
async function attackerRegistersRoot(env: Record<string, string>): Promise<void> {
  const first = await start(env);
  try {
    const reg = await first.server.inject({
      method: 'POST',
      url: '/api/v1/users/',
      payload: { username: 'Root', email: 'mallory@example.com', password: ATTACKER_PASSWORD },
    });
    expect(reg.statusCode).toBe(201);
  } finally {
    await first.close();
  }
}

const backends = ['sqlite', ...(hasPostgres ? (['postgresql'] as const) : [])] as const;

describe.each(backends)('bootstrap refuses to promote an existing account (%s)', (backend) => {
  let current: Deployment | undefined;
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });

  it('a restart with AUTHLY_ADMIN_USERNAME naming a self-registered account refuses to start; the account stays a plain user', async () => {
    current = await deployment(backend);
    await attackerRegistersRoot(current.env);
    const env = { ...current.env, AUTHLY_ADMIN_USERNAME: 'root', AUTHLY_ADMIN_PASSWORD: OPERATOR_PASSWORD };
    const refused = await start(env).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BootstrapConflictError);
    expect((refused as Error).message).toMatch(/^bootstrap refused: user "root" \(admin\.username\) exists but is not an admin/);

    // Nothing was promoted: with bootstrap off the server starts, and the account has no admin power.
    const inspect = await start({ ...env, AUTHLY_BOOTSTRAP_ENABLED: 'false' });
    try {
      const user = await inspect.container.repositories.users.findByUsername('root');
      expect(user).toMatchObject({ username: 'Root', isAdmin: false });
      expect((await passwordGrant(inspect, 'root', OPERATOR_PASSWORD)).status).toBe(400);
    } finally {
      await inspect.close();
    }
  });

  // Several instances share a database on PostgreSQL; a SQLite file has one server, so the case
  // exists on PostgreSQL only (registered, not skipped, on SQLite).
  if (backend === 'postgresql') it('two instances starting together: both refuse the conflict; with the name free, both start and one admin exists', async () => {
    current = await deployment(backend);
    await attackerRegistersRoot(current.env);
    const conflicted = { ...current.env, AUTHLY_ADMIN_USERNAME: 'root', AUTHLY_ADMIN_PASSWORD: OPERATOR_PASSWORD };
    const both = await Promise.allSettled([start(conflicted), start(conflicted)]);
    for (const outcome of both) {
      if (outcome.status === 'fulfilled') await outcome.value.close();
      expect(outcome.status).toBe('rejected');
    }

    const free = { ...current.env, AUTHLY_ADMIN_USERNAME: 'operator', AUTHLY_ADMIN_EMAIL: 'ops@example.com', AUTHLY_ADMIN_PASSWORD: OPERATOR_PASSWORD };
    const apps = await Promise.all([start(free), start(free)]);
    try {
      const admins = await apps[0].container.repositories.users.list({ isAdmin: true, limit: 10, offset: 0 });
      // The first start's default `admin`, and one `operator`; `Root` is still no admin.
      expect(admins.users.map((u) => u.username).sort()).toEqual(['admin', 'operator']);
    } finally {
      for (const app of apps) await app.close();
    }
  });
});

describe('authly serve with the conflict', () => {
  let current: Deployment | undefined;
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });

  it('prints the refusal as one line and exits 1, without a stack trace', async () => {
    current = await deployment('sqlite');
    await attackerRegistersRoot(current.env);
    const cwd = path.dirname(current.env.AUTHLY_DATABASE__SQLITE__PATH!);
    const result = await runCli(['serve', '--host', '127.0.0.1', '--port', '0'], {
      cwd,
      env: { ...current.env, AUTHLY_ADMIN_USERNAME: 'root', AUTHLY_ADMIN_PASSWORD: OPERATOR_PASSWORD },
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^authly: bootstrap refused: user "root" .*set admin\.username \(AUTHLY_ADMIN_USERNAME\) to a name no account uses/);
  }, 120_000);
});
