import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/app.js';

describe('GET / (home page)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(async () => server?.close());

  it('names the server, its version and issuer, and links to discovery, the keys and health', async () => {
    const response = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<h1 id="name">Authly</h1>');
    expect(html).toContain('<strong id="version">test</strong>');
    expect(html).toContain(`<code id="issuer">${server.url}</code>`);
    for (const href of ['/.well-known/openid-configuration', '/.well-known/jwks.json', '/health']) {
      expect(html).toContain(`href="${href}"`);
      // Every link leads somewhere.
      expect((await fetch(`${server.url}${href}`)).status).toBe(200);
    }
  });

  it('answers JSON to a client that asks for it', async () => {
    const response = await fetch(`${server.url}/`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { name: string; issuer: string; links: { rel: string; href: string }[] };
    expect(body).toMatchObject({ name: 'Authly', version: 'test', issuer: server.url });
    expect(body.links.map((link) => link.rel)).toEqual(expect.arrayContaining(['openid-configuration', 'jwks']));
    // Only routes this server has are linked.
    for (const link of body.links) expect((await fetch(`${server.url}${link.href}`)).status).toBe(200);
  });

  it('refuses a Host it does not serve instead of echoing it as the issuer', async () => {
    const response = await server.app.server.inject({ method: 'GET', url: '/', headers: { host: 'evil.example' } });
    expect(response.statusCode).toBe(400);
    expect(response.body).not.toContain('evil.example');
  });
});
