/*
 * `redis.url` names one Redis server, a Redis Cluster or a Sentinel-managed master:
 *
 *   redis://[user:password@]host:port[/db]              one server (rediss:// with TLS)
 *   redis-cluster://[user:password@]host:port,host:port  cluster seed nodes (rediss-cluster:// with TLS)
 *   redis-sentinel://[user:password@]host:port,host:port/master-name[/db][?sentinel_username=…&sentinel_password=…]
 *                                                        sentinels and the master's name (rediss-sentinel:// with TLS)
 *
 * The user and password are the data nodes'; sentinels that require their own are given them in
 * the query. Pure parsing, shared by the configuration check and the Redis clients in cache/.
 */

/** One `host:port`. */
export interface RedisNode {
  host: string;
  port: number;
}

/** Credentials and TLS, common to every form. */
interface RedisAuth {
  username?: string;
  password?: string;
  tls: boolean;
}

/** Where `redis.url` points. */
export type RedisTarget =
  | { kind: 'single'; url: string; tls: boolean }
  | ({ kind: 'cluster'; nodes: RedisNode[] } & RedisAuth)
  | ({ kind: 'sentinel'; sentinels: RedisNode[]; masterName: string; db: number; sentinelUsername?: string; sentinelPassword?: string } & RedisAuth);

/** `redis.url` could not be read; the message says why (never echoing the password). */
export class RedisUrlError extends Error {
  override readonly name = 'RedisUrlError';
}

const SINGLE = ['redis', 'rediss'];
const MULTI = /^(rediss?)-(cluster|sentinel):\/\/(?:([^@/?#]*)@)?([^/?#]+)(\/[^?#]*)?(?:\?([^#]*))?$/;
const SENTINEL_PARAMS = new Set(['sentinel_username', 'sentinel_password']);
/** Redis' default ports (https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/). */
const DEFAULT_PORT = { cluster: 6379, sentinel: 26379 } as const;

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new RedisUrlError(`malformed percent-encoding in the ${what}`);
  }
}

function parseNodes(list: string, defaultPort: number): RedisNode[] {
  return list.split(',').map((entry) => {
    const item = entry.trim();
    if (item === '') throw new RedisUrlError('an empty host in the host list');
    let parsed: URL;
    try {
      parsed = new URL(`redis://${item}`);
    } catch {
      throw new RedisUrlError(`"${item}" is not host:port`);
    }
    if (parsed.pathname !== '' || parsed.username !== '' || parsed.hostname === '') throw new RedisUrlError(`"${item}" is not host:port`);
    // IPv6 literals keep their brackets in URL.hostname; net.connect wants them bare.
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    return { host, port: parsed.port === '' ? defaultPort : Number(parsed.port) };
  });
}

function parseAuth(userinfo: string | undefined): Pick<RedisAuth, 'username' | 'password'> {
  if (userinfo === undefined || userinfo === '') return {};
  const colon = userinfo.indexOf(':');
  const username = decode(colon === -1 ? userinfo : userinfo.slice(0, colon), 'user name');
  const password = colon === -1 ? undefined : decode(userinfo.slice(colon + 1), 'password');
  return { ...(username === '' ? {} : { username }), ...(password === undefined || password === '' ? {} : { password }) };
}

function parseDb(segment: string | undefined): number {
  if (segment === undefined || segment === '') return 0;
  if (!/^\d{1,5}$/.test(segment)) throw new RedisUrlError(`database "${segment}" is not a number`);
  return Number(segment);
}

/**
 * Reads `redis.url`.
 * @throws RedisUrlError naming what is wrong.
 */
export function parseRedisUrl(url: string): RedisTarget {
  const scheme = url.slice(0, Math.max(0, url.indexOf('://')));
  if (SINGLE.includes(scheme)) {
    if (!URL.canParse(url)) throw new RedisUrlError('not a valid URL');
    return { kind: 'single', url, tls: scheme === 'rediss' };
  }
  const match = MULTI.exec(url);
  if (!match) throw new RedisUrlError('expected redis://, rediss://, redis-cluster://, rediss-cluster://, redis-sentinel:// or rediss-sentinel://');
  const [, base, kind, userinfo, hosts, path = '', query = ''] = match as unknown as [string, string, 'cluster' | 'sentinel', string | undefined, string, string?, string?];
  const auth = { ...parseAuth(userinfo), tls: base === 'rediss' };
  const params = new URLSearchParams(query);
  const nodes = parseNodes(hosts, DEFAULT_PORT[kind]);
  if (kind === 'cluster') {
    if (path !== '' && path !== '/') throw new RedisUrlError('a cluster URL takes no path (Redis Cluster has only database 0)');
    if ([...params.keys()].length > 0) throw new RedisUrlError('a cluster URL takes no query parameters');
    return { kind, nodes, ...auth };
  }
  const [masterName = '', db, ...rest] = path.split('/').slice(1);
  if (masterName === '') throw new RedisUrlError('a sentinel URL names the master: redis-sentinel://host:port/<master-name>');
  if (rest.length > 0) throw new RedisUrlError('a sentinel URL path is /<master-name>[/<db>]');
  for (const key of params.keys()) if (!SENTINEL_PARAMS.has(key)) throw new RedisUrlError(`unknown query parameter "${key}"`);
  const sentinelUsername = params.get('sentinel_username') ?? undefined;
  const sentinelPassword = params.get('sentinel_password') ?? undefined;
  return {
    kind,
    sentinels: nodes,
    masterName: decode(masterName, 'master name'),
    db: parseDb(db),
    ...auth,
    ...(sentinelUsername ? { sentinelUsername } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
  };
}

/** `host:port[,host:port…]` of the target, for log lines: never the credentials. */
export function describeRedisTarget(url: string): string {
  try {
    const target = parseRedisUrl(url);
    if (target.kind === 'single') {
      const parsed = new URL(url);
      return `${parsed.hostname}:${parsed.port || '6379'}`;
    }
    const nodes = target.kind === 'cluster' ? target.nodes : target.sentinels;
    const list = nodes.map((node) => `${node.host}:${node.port}`).join(',');
    return target.kind === 'cluster' ? `cluster ${list}` : `sentinel ${list} master ${target.masterName}`;
  } catch {
    return 'redis';
  }
}
