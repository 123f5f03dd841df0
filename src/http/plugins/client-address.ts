import { BlockList, isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The client's address: the socket peer, or what a trusted proxy forwarded. */
    clientAddress: string;
  }
}

/** `::ffff:127.0.0.1` → `127.0.0.1` (Node's dual-stack sockets); zone ids dropped. */
export function normalizeAddress(address: string): string {
  const plain = address.trim().toLowerCase().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(plain);
  return mapped?.[1] ?? plain;
}

/** A set of addresses and CIDR blocks (config lists, validated by the config schema). */
export function addressSet(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(normalizeAddress(address), type);
    else list.addSubnet(normalizeAddress(address), Number(prefix), type);
  }
  return list;
}

/** True when `address` (normalised) is a valid IP in the set. */
export function inSet(set: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && set.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

const LOOPBACK = addressSet(['127.0.0.0/8', '::1']);

/** IPv4 `127.0.0.0/8` or IPv6 `::1`, mapped forms included. */
export function isLoopback(address: string): boolean {
  return inSet(LOOPBACK, normalizeAddress(address));
}

/** A connection's peer, normalised, and whether it is a trusted proxy. */
export interface Peer {
  readonly address: string;
  readonly trusted: boolean;
}

/**
 * Looks up a request's {@link Peer}, worked out once per connection: the peer of a socket never
 * changes, so a keep-alive connection's later requests reuse the first one's answer.
 * Requests without a socket object of their own are worked out each time.
 */
export function peerLookup(trusted: BlockList): (request: FastifyRequest) => Peer {
  const bySocket = new WeakMap<object, Peer>();
  return function peerOf(request) {
    const socket = request.socket as object | undefined;
    const known = socket && bySocket.get(socket);
    if (known) return known;
    const address = peerAddress(request);
    const peer = { address, trusted: inSet(trusted, address) };
    if (socket) bySocket.set(socket, peer);
    return peer;
  };
}

/**
 * The client address. `X-Forwarded-For` / `X-Real-IP` are believed only when the socket peer
 * is a trusted proxy: otherwise any client could claim to be `127.0.0.1`. In a
 * forwarded chain the right-most address that is not itself a trusted proxy is the client
 * (each proxy appends the peer it saw; only the trusted ones' additions are reliable).
 */
export function clientAddress(request: FastifyRequest, trusted: BlockList, peer: Peer): string {
  if (!peer.trusted) return peer.address;
  const forwarded = headerValue(request.headers['x-forwarded-for']);
  if (forwarded) {
    const chain = forwarded.split(',').map(normalizeAddress).filter((a) => isIP(a) !== 0);
    for (let i = chain.length - 1; i >= 0; i--) if (!inSet(trusted, chain[i]!)) return chain[i]!;
    if (chain[0]) return chain[0];
  }
  const real = normalizeAddress(headerValue(request.headers['x-real-ip']) ?? '');
  return isIP(real) !== 0 ? real : peer.address;
}

/** The socket peer's address, normalised: the proxy itself when there is one. */
export function peerAddress(request: FastifyRequest): string {
  return normalizeAddress(request.socket?.remoteAddress ?? request.ip);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** Sets `request.clientAddress` on every request, before any other hook reads it. */
export function registerClientAddress(app: FastifyInstance, trustedProxies: readonly string[]): void {
  const trusted = addressSet(trustedProxies);
  const peerOf = peerLookup(trusted);
  app.decorateRequest('clientAddress', '');
  app.addHook('onRequest', function resolveClientAddress(request: FastifyRequest, _reply, done) {
    request.clientAddress = clientAddress(request, trusted, peerOf(request));
    done();
  });
}
