import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { hasChromium, launchBrowser } from '../helpers/browser.js';

type OpenApi = { openapi: string; info: { title: string }; paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema: Record<string, unknown> }[]; requestBody?: unknown; tags?: string[] }>> };

/** find-my-way's `:param` as OpenAPI's `{param}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('OpenAPI 3.1 at /openapi.json and Swagger UI at /docs', () => {
  let server: TestServer;
  const routes: { method: string; url: string }[] = [];
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'authly-openapi-'));
    server = await startTestServer('sqlite', {}, {
      onRoute(route) {
        for (const method of [route.method].flat()) routes.push({ method: String(method).toLowerCase(), url: route.url });
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, remoteAddress?: string) => server.app.server.inject({ method: 'GET', url, ...(remoteAddress ? { remoteAddress } : {}) });

  it('lists every registered route (the UI assets under /docs aside)', async () => {
    const res = await get('/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json() as OpenApi;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Authly');
    const api = routes.filter((r) => r.url !== '/docs' && !r.url.startsWith('/docs/'));
    expect(api.length).toBeGreaterThan(50);
    const missing = api.filter((r) => !doc.paths[openApiPath(r.url)]?.[r.method]).map((r) => `${r.method.toUpperCase()} ${r.url}`);
    expect(missing).toEqual([]);
    for (const known of ['/api/v1/oauth/token', '/admin/audit-events', '/.well-known/openid-configuration', '/metrics', '/openapi.json']) expect(doc.paths).toHaveProperty([known]);
    expect(doc.paths['/api/v1/oauth/token']!.post!.tags).toEqual(['oauth']);
  });

  it('documents the zod-validated parameters and bodies as JSON Schema, without changing validation', async () => {
    const doc = (await get('/openapi.json')).json() as OpenApi;
    const params = doc.paths['/admin/audit-events']!.get!.parameters!;
    const event = params.find((p) => p.name === 'event')!;
    expect(event.in).toBe('query');
    expect(event.schema.enum).toContain('login.failed');
    expect(params.map((p) => p.name)).toEqual(expect.arrayContaining(['user_id', 'client_id', 'from', 'to', 'limit', 'offset']));
    expect(doc.paths['/admin/users']!.post!.requestBody).toBeDefined();
    // Fastify does not validate with the documented schemas: the handler still decides (here:
    // authentication first, then its own 422), as before.
    const bad = await server.app.server.inject({ method: 'GET', url: '/admin/audit-events?event=nope' });
    expect(bad.statusCode).toBe(401);
  });

  it('leaves the admin API out for a caller the admin network filter refuses', async () => {
    for (const url of ['/openapi.json', '/docs/json']) {
      const local = (await get(url)).json() as OpenApi;
      expect(Object.keys(local.paths).some((p) => p.startsWith('/admin'))).toBe(true);
      const remote = await get(url, '203.0.113.9');
      expect(remote.statusCode).toBe(200);
      const paths = Object.keys((remote.json() as OpenApi).paths);
      expect(paths.filter((p) => p.startsWith('/admin'))).toEqual([]);
      expect(paths).toContain('/api/v1/oauth/token');
    }
  });

  it('ignores a remote caller\'s own claim to see the admin API (the header the server sets when forwarding /docs)', async () => {
    for (const url of ['/docs/json', '/docs/yaml', '/openapi.json']) {
      const res = await server.app.server.inject({ method: 'GET', url, remoteAddress: '203.0.113.9', headers: { 'x-authly-docs-admin': '1' } });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('/api/v1/oauth/token');
      expect(res.body).not.toContain('/admin/');
    }
  });

  it('relaxes the CSP on /docs only', async () => {
    const docs = await get('/docs');
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-security-policy']).toContain("script-src 'self';");
    expect(docs.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(docs.headers['x-frame-options']).toBe('DENY');
    // Every other page keeps the strict policy (its inline-script allowance is for the login page only).
    const other = await get('/openapi.json');
    expect(other.headers['content-security-policy']).toContain("media-src 'none'");
    expect(other.headers['content-security-policy']).not.toBe(docs.headers['content-security-policy']);
  });

  describe.skipIf(!hasChromium)('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(async () => browser?.close());

    it('renders /docs with the operations, without CSP violations (screenshot in the temp folder)', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(`${server.url}/docs`);
      await page.locator('.swagger-ui .info .title').filter({ hasText: 'Authly' }).waitFor({ timeout: 30_000 });
      const token = page.locator('.opblock-summary-path', { hasText: '/api/v1/oauth/token' }).first();
      await token.waitFor({ timeout: 30_000 });
      expect(await token.isVisible()).toBe(true);
      const shot = path.join(dir, 'docs.png');
      await page.screenshot({ path: shot, fullPage: false });
      expect(fs.statSync(shot).size).toBeGreaterThan(1000);
      expect(problems).toEqual([]);
      await context.close();
    });
  });
});
