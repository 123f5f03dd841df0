import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseHost, type HostAndPort } from '../../protocol/host.js';
import { requestRefused } from '../oauth-routes.js';
import { addressSet, isLoopback, peerLookup, type Peer } from './client-address.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The client reached us over HTTPS: a TLS socket, a configured `https://` issuer, or
     * `X-Forwarded-Proto: https` from a trusted proxy that terminated TLS.
     */
    viaHttps: boolean;
    /** `scheme://host[:port]` of an allowed `Host` when no issuer is configured; otherwise null. */
    requestOrigin: string | null;
    /** `scheme://host[:port]` clients call this server at: the configured issuer's origin, else `requestOrigin`. */
    publicOrigin: string | null;
  }
}

/** The `server` settings that decide how a request names this server. */
export interface RequestOriginOptions {
  /** `server.issuer`: when set, the `Host` header never shapes a URL. */
  issuer: string | null;
  trustedProxies: readonly string[];
  /** `server.allowed_hosts`: `host` or `host:port` names served besides loopback ones. */
  allowedHosts: readonly string[];
}

/** The last value of a header a proxy chain may repeat: what the nearest (trusted) proxy said. */
function lastEntry(value: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined?.split(',').at(-1)?.trim().toLowerCase();
}

function viaHttps(request: FastifyRequest, peer: Peer, httpsIssuer: boolean): boolean {
  if (request.protocol === 'https' || httpsIssuer) return true;
  // X-Forwarded-Proto from anyone but a trusted proxy is a claim the client makes about itself.
  return peer.trusted && lastEntry(request.headers['x-forwarded-proto']) === 'https';
}

/** `localhost`, `127.0.0.0/8` and `[::1]` (IPv4-mapped forms included) always name this machine. */
function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost') return true;
  const address = hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(address) !== 0 && isLoopback(address);
}

function defaultPort(https: boolean): number {
  return https ? 443 : 80;
}

/**
 * Validates the `Host` header of every request and records the scheme and, with no issuer
 * configured, the origin the issuer is derived from:
 *
 * - a malformed `Host` is a 400 on every route (RFC 9112 §3.2), never a 500 later;
 * - with `server.issuer` unset, only loopback names and `server.allowed_hosts` are served: a
 *   request for any other host could otherwise make the server announce, and sign tokens for,
 *   an issuer the attacker chose (OIDC Discovery §4.3 requires the issuer to be exact);
 * - with `server.issuer` set, the header is only checked for syntax and never used.
 */
export function registerRequestOrigin(app: FastifyInstance, options: RequestOriginOptions): void {
  const peerOf = peerLookup(addressSet(options.trustedProxies));
  const allowed = options.allowedHosts.map(parseHost).filter((host): host is HostAndPort => host !== null);
  const httpsIssuer = options.issuer?.toLowerCase().startsWith('https://') ?? false;
  const isAllowed = (host: HostAndPort, https: boolean): boolean => {
    if (isLoopbackHost(host.hostname)) return true;
    const port = host.port ?? defaultPort(https);
    return allowed.some((entry) => entry.hostname === host.hostname && (entry.port === null || entry.port === port));
  };
  /** What a `Host` value means: the origin it names, or why it is refused (with an issuer set, only its syntax counts). */
  const judge = (header: string, https: boolean): HostVerdict => {
    const host = parseHost(header);
    if (host === null) return MALFORMED;
    if (options.issuer) return '';
    if (!isAllowed(host, https)) return FOREIGN;
    const port = host.port !== null && host.port !== defaultPort(https) ? `:${host.port}` : '';
    return `${https ? 'https' : 'http'}://${host.hostname}${port}`;
  };
  const verdicts = new VerdictMemo(judge);

  app.decorateRequest('viaHttps', false);
  app.decorateRequest('requestOrigin', null);
  app.decorateRequest('publicOrigin', null);
  const issuerOrigin = options.issuer && URL.canParse(options.issuer) ? new URL(options.issuer).origin : null;
  app.addHook('onRequest', function requestOrigin(request: FastifyRequest, _reply, done) {
    const header = request.headers.host;
    const https = viaHttps(request, peerOf(request), httpsIssuer);
    const verdict = header === undefined ? undefined : verdicts.get(header, https);
    if (verdict === MALFORMED) return done(requestRefused(request, 'The Host header is malformed'));
    request.viaHttps = https;
    request.publicOrigin = issuerOrigin;
    // HTTP/1.0 may omit Host: nothing to derive from, so `issuerFor` refuses where one is needed.
    if (options.issuer || verdict === undefined) return done();
    if (verdict === FOREIGN) return done(requestRefused(request, 'The Host header names a host this server does not serve'));
    request.requestOrigin = verdict;
    request.publicOrigin = verdict;
    done();
  });
}

const MALFORMED = Symbol('malformed Host');
const FOREIGN = Symbol('Host not served');
type HostVerdict = string | typeof MALFORMED | typeof FOREIGN;

/** Distinct `Host` values remembered; a client sending more only makes the memo start over. */
const MEMO_SIZE = 64;

/**
 * The verdicts on the `Host` values seen last: clients send the same few values (the server's
 * names), so parsing and checking one on every request is wasted work.
 */
class VerdictMemo {
  readonly #verdicts = new Map<string, HostVerdict>();
  readonly #judge: (header: string, https: boolean) => HostVerdict;

  constructor(judge: (header: string, https: boolean) => HostVerdict) {
    this.#judge = judge;
  }

  get(header: string, https: boolean): HostVerdict {
    // The scheme is part of the key: it decides the default port and the origin.
    const key = https ? `s${header}` : `p${header}`;
    let verdict = this.#verdicts.get(key);
    if (verdict === undefined) {
      verdict = this.#judge(header, https);
      if (this.#verdicts.size >= MEMO_SIZE) this.#verdicts.clear();
      this.#verdicts.set(key, verdict);
    }
    return verdict;
  }
}
