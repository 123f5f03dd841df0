import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress, outboundRequest, OutboundRequestError, type OutboundPolicy } from './outbound-request.js';

const OPEN: OutboundPolicy = { allowPrivateTargets: true, timeoutMs: 2000, maxBytes: 1024 };
const GUARDED: OutboundPolicy = { ...OPEN, allowPrivateTargets: false };

describe('isPublicAddress', () => {
  it.each([
    ['127.0.0.1'], ['10.1.2.3'], ['172.16.0.1'], ['192.168.1.1'], ['169.254.169.254'], ['100.64.0.1'], ['0.0.0.0'], ['255.255.255.255'],
    ['224.0.0.1'], ['::1'], ['::'], ['fe80::1'], ['fc00::1'], ['fd12:3456::1'], ['::ffff:127.0.0.1'], ['::ffff:10.0.0.1'], ['not an address'],
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([['93.184.215.14'], ['8.8.8.8'], ['2606:4700:4700::1111'], ['::ffff:8.8.8.8']])('accepts %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('outboundRequest', () => {
  let server: http.Server;
  let base: string;
  let seen = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen++;
      if (req.url === '/big') {
        res.end('x'.repeat(4096));
        return;
      }
      if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 5000).unref();
        return;
      }
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://127.0.0.1:9/' }).end();
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => res.end(JSON.stringify({ method: req.method, body })));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function refusal(promise: Promise<unknown>): Promise<OutboundRequestError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OutboundRequestError);
    return error as OutboundRequestError;
  }

  it('reaches a loopback target only when private targets are allowed', async () => {
    const response = await outboundRequest({ method: 'POST', url: `${base}/echo`, body: 'logout_token=x' }, OPEN);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ method: 'POST', body: 'logout_token=x' });
    const before = seen;
    expect((await refusal(outboundRequest({ method: 'GET', url: `${base}/echo` }, GUARDED))).kind).toBe('blocked');
    expect(seen).toBe(before);
  });

  it('refuses a name that resolves to loopback, checked after resolution', async () => {
    const port = (server.address() as AddressInfo).port;
    const before = seen;
    const error = await refusal(outboundRequest({ method: 'GET', url: `http://localhost:${port}/echo` }, GUARDED));
    expect(error.kind).toBe('blocked');
    expect(seen).toBe(before);
  });

  it.each([
    ['file:///etc/passwd'], ['ftp://example.com/'], ['http://user:pass@example.com/'], ['http://[::ffff:7f00:1]/'], ['http://169.254.169.254/latest/meta-data'], ['nonsense'],
  ])('refuses %s before connecting', async (url) => {
    expect((await refusal(outboundRequest({ method: 'GET', url }, GUARDED))).kind).toBe('blocked');
  });

  it('bounds the size and the time of the answer, and does not follow redirects', async () => {
    expect((await refusal(outboundRequest({ method: 'GET', url: `${base}/big` }, OPEN))).message).toMatch(/larger than 1024 bytes/);
    expect((await refusal(outboundRequest({ method: 'GET', url: `${base}/slow` }, { ...OPEN, timeoutMs: 200 }))).message).toMatch(/timed out/);
    const redirected = await outboundRequest({ method: 'GET', url: `${base}/redirect` }, OPEN);
    expect(redirected.status).toBe(302);
  });
});
