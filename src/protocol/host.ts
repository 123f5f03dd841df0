import { isIP } from 'node:net';

/** A parsed `Host` value: the lower-cased name (an IPv6 address keeps its brackets) and the port, if any. */
export interface HostAndPort {
  hostname: string;
  port: number | null;
}

/** One DNS label (RFC 1123 §2.1; `_` too, as container service names use it), at most 63 characters. */
const LABEL = '[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?';
const NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const PORT = /^[0-9]{1,5}$/;

/**
 * Parses a `Host` header value or a configured `host[:port]` (RFC 9110 §7.2: `uri-host [":"
 * port]`), strictly: a DNS name or IPv4 address, or an IPv6 address in brackets, then an
 * optional port 1–65535. Anything else (spaces, a lone `[`, user info, a path, an empty value,
 * `host:99999`) is `null`, so no caller ever builds a URL from it.
 */
export function parseHost(value: string): HostAndPort | null {
  if (value.length === 0 || value.length > 260) return null;
  const lower = value.toLowerCase();
  let hostname: string;
  let rest: string;
  if (lower.startsWith('[')) {
    const close = lower.indexOf(']');
    if (close < 0 || isIP(lower.slice(1, close)) !== 6) return null;
    hostname = lower.slice(0, close + 1);
    rest = lower.slice(close + 1);
  } else {
    const colon = lower.indexOf(':');
    hostname = colon < 0 ? lower : lower.slice(0, colon);
    rest = colon < 0 ? '' : lower.slice(colon);
    if (hostname.length > 253 || !NAME.test(hostname)) return null;
  }
  if (rest === '') return { hostname, port: null };
  if (!rest.startsWith(':') || !PORT.test(rest.slice(1))) return null;
  const port = Number(rest.slice(1));
  return port >= 1 && port <= 65535 ? { hostname, port } : null;
}
