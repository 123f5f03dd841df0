import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** How far an outgoing request may go, and how long and how much it may take. */
export interface OutboundPolicy {
  /**
   * Let requests reach loopback, private, link-local and other non-public addresses. Off in
   * production: a URL a client registered must not make the server probe its own network.
   */
  allowPrivateTargets: boolean;
  /** The whole exchange, connect to last byte. */
  timeoutMs: number;
  /** The most response-body bytes read; a longer body fails the request. */
  maxBytes: number;
}

/** A request the server makes on its own behalf (a client's `jwks_uri`, a back-channel logout). */
export interface OutboundRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What came back; redirects are not followed, so a 3xx is an answer like any other. */
export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Why an outgoing request did not complete; the message names the URL's origin, never a secret. */
export class OutboundRequestError extends Error {
  override readonly name = 'OutboundRequestError';
  /** `blocked`: the target is not allowed; `failed`: network, timeout, size or protocol. */
  readonly kind: 'blocked' | 'failed';

  constructor(kind: 'blocked' | 'failed', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

/**
 * True for an address on the public internet. ipaddr.js names every special-purpose range of the
 * IANA registries (RFC 6890): only `unicast` is public. An IPv4-mapped IPv6 address is judged by
 * the IPv4 address inside it, so `::ffff:127.0.0.1` is loopback.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/**
 * A `lookup` for the socket that refuses a non-public address after resolution, so the address
 * checked is the address connected to (no second resolution a DNS rebinding could change).
 */
function guardedLookup(policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    // Every address the name has is judged (not only the first), whichever the socket then picks.
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      if (!policy.allowPrivateTargets && addresses.some((entry) => !isPublicAddress(entry.address))) {
        return callback(new OutboundRequestError('blocked', `${hostname} resolves to a non-public address`), '', 0);
      }
      const first = addresses[0];
      if (!first) return callback(new OutboundRequestError('failed', `${hostname} has no address`), '', 0);
      // Node asks for every address when it races IPv4 and IPv6 (autoSelectFamily), else for one.
      if (options.all) (callback as unknown as (e: null, all: dns.LookupAddress[]) => void)(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/** The URL's scheme and host, for messages (a path or query may carry a token). */
function origin(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

/**
 * Makes one HTTP(S) request on the server's own behalf, guarded against server-side request
 * forgery (OWASP SSRF Prevention Cheat Sheet): http(s) only, no userinfo, no redirects followed,
 * the resolved address must be public unless the policy allows private targets, and the whole
 * exchange is bounded in time and size.
 *
 * @throws OutboundRequestError (`blocked` or `failed`).
 */
export function outboundRequest(request: OutboundRequest, policy: OutboundPolicy): Promise<OutboundResponse> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return Promise.reject(new OutboundRequestError('blocked', 'not a valid URL'));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new OutboundRequestError('blocked', `the ${url.protocol} scheme is not allowed`));
  }
  if (url.username !== '' || url.password !== '') return Promise.reject(new OutboundRequestError('blocked', 'user information is not allowed'));
  // A literal address never goes through `lookup`, so it is judged here.
  const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(literal) !== 0 && !policy.allowPrivateTargets && !isPublicAddress(literal)) {
    return Promise.reject(new OutboundRequestError('blocked', `${origin(url)} is not a public address`));
  }

  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) =>
      reject(error instanceof OutboundRequestError ? error : new OutboundRequestError('failed', `request to ${origin(url)} failed: ${(error as Error).message}`, { cause: error }));
    const req = transport.request(
      url,
      {
        method: request.method,
        headers: { ...request.headers, ...(request.body !== undefined ? { 'content-length': String(Buffer.byteLength(request.body)) } : {}) },
        lookup: guardedLookup(policy),
        // Each request on its own connection: a pooled socket would skip the address check.
        agent: false,
        timeout: policy.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let tooLarge = false;
        res.on('data', (chunk: Buffer) => {
          if (tooLarge) return;
          size += chunk.length;
          if (size > policy.maxBytes) {
            tooLarge = true;
            fail(new OutboundRequestError('failed', `response from ${origin(url)} is larger than ${policy.maxBytes} bytes`));
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          if (!tooLarge) resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
        res.on('error', fail);
      },
    );
    // `timeout` fires on idleness; the deadline bounds the whole exchange.
    const deadline = setTimeout(() => req.destroy(new OutboundRequestError('failed', `request to ${origin(url)} timed out`)), policy.timeoutMs);
    req.on('timeout', () => req.destroy(new OutboundRequestError('failed', `request to ${origin(url)} timed out`)));
    req.on('error', fail);
    req.on('close', () => clearTimeout(deadline));
    req.end(request.body);
  });
}
