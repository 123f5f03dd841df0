import type { Client } from '../domain/client.js';
import type { Scope } from '../domain/scope.js';
import type { SigningKey } from '../domain/signing-key.js';
import type { User } from '../domain/user.js';
import type { CacheCodec } from './cache-store.js';

/*
 * Values in Redis are `{"t": tag, "v": value}` JSON. JSON turns Dates into ISO strings, so each
 * entity has a small field spec: the listed fields are checked (a wrong type means a corrupt or
 * foreign value, i.e. a miss) and date fields are revived into Dates. Unlisted fields pass as is.
 */

/** How one field is checked and revived. `?` allows null. */
type FieldKind = 'string' | 'string?' | 'boolean' | 'count' | 'date' | 'date?' | 'strings' | 'object';

/** Field specs of the cached entities; bump the tag's version when a layout changes. */
type Spec = Record<string, FieldKind>;

function check(value: unknown, spec: Spec): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const out = value as Record<string, unknown>;
  for (const [field, kind] of Object.entries(spec)) {
    const raw = out[field];
    const nullable = kind.endsWith('?');
    if (raw === null && nullable) continue;
    switch (kind) {
      case 'string':
      case 'string?':
        if (typeof raw !== 'string') return undefined;
        break;
      case 'boolean':
        if (typeof raw !== 'boolean') return undefined;
        break;
      case 'count':
        if (!isCount(raw)) return undefined;
        break;
      case 'date':
      case 'date?': {
        const date = typeof raw === 'string' ? new Date(raw) : undefined;
        if (date === undefined || Number.isNaN(date.getTime())) return undefined;
        out[field] = date;
        break;
      }
      case 'strings':
        if (!Array.isArray(raw) || !raw.every((s) => typeof s === 'string')) return undefined;
        break;
      case 'object':
        if (raw === null || typeof raw !== 'object') return undefined;
        break;
    }
  }
  return out;
}

function unwrap(text: string, tag: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const envelope = parsed as { t?: unknown; v?: unknown };
  return envelope.t === tag ? envelope.v : undefined;
}

function wrap(tag: string, value: unknown): string {
  return JSON.stringify({ t: tag, v: value });
}

/** A codec for one entity, checked and revived by `spec`. */
export function entityCodec<T>(tag: string, spec: Spec): CacheCodec<T> {
  return {
    tag,
    encode: (value) => wrap(tag, value),
    decode: (text) => check(unwrap(text, tag), spec) as T | undefined,
  };
}

/** A codec for a list of entities; one bad element makes the whole list a miss. */
export function listCodec<T>(entity: CacheCodec<T>, spec: Spec): CacheCodec<T[]> {
  const tag = `${entity.tag}[]`;
  return {
    tag,
    encode: (value) => wrap(tag, value),
    decode(text) {
      const list = unwrap(text, tag);
      if (!Array.isArray(list)) return undefined;
      const out: T[] = [];
      for (const item of list) {
        const entity = check(item, spec);
        if (entity === undefined) return undefined;
        out.push(entity as T);
      }
      return out;
    },
  };
}

/** A codec for a plain value accepted by `guard`. */
export function plainCodec<T>(tag: string, guard: (value: unknown) => value is T): CacheCodec<T> {
  return {
    tag,
    encode: (value) => wrap(tag, value),
    decode(text) {
      const value = unwrap(text, tag);
      return guard(value) ? value : undefined;
    },
  };
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

const CLIENT: Spec = {
  id: 'string', clientId: 'string', clientName: 'string', clientType: 'string', isActive: 'boolean',
  redirectUris: 'strings', grantTypes: 'strings', responseTypes: 'strings', requestUris: 'strings',
  contacts: 'strings', requirePkce: 'boolean', createdAt: 'date', updatedAt: 'date',
  requirePushedAuthorizationRequests: 'boolean', dpopBoundAccessTokens: 'boolean',
};
// No password hash: `User` does not carry it (password checks read it uncached, findCredentials).
const USER: Spec = {
  id: 'string', username: 'string', email: 'string', isActive: 'boolean',
  isVerified: 'boolean', isAdmin: 'boolean', requiresPasswordChange: 'boolean', sessionEpoch: 'count',
  createdAt: 'date', updatedAt: 'date', lastLogin: 'date?',
};
const SCOPE: Spec = {
  id: 'string', scopeName: 'string', description: 'string?', isDefault: 'boolean', isActive: 'boolean',
  createdAt: 'date', updatedAt: 'date',
};
const SIGNING_KEY: Spec = {
  kid: 'string', keyData: 'object', keyType: 'string', algorithm: 'string', keyUse: 'string',
  isActive: 'boolean', createdAt: 'date', expiresAt: 'date?', privateKeyData: 'string?',
};

/** Codecs of every value the decorators cache. */
export const codecs = {
  // client/2: with the JWK Set and the PAR and DPoP flags; client/1 entries read as misses.
  client: entityCodec<Client>('client/2', CLIENT),
  // user/2: without the password hash, with the session epoch; user/1 entries read as misses.
  user: entityCodec<User>('user/2', USER),
  scope: entityCodec<Scope>('scope/1', SCOPE),
  scopes: listCodec<Scope>(entityCodec<Scope>('scope/1', SCOPE), SCOPE),
  signingKey: entityCodec<SigningKey>('signing-key/1', SIGNING_KEY),
  signingKeys: listCodec<SigningKey>(entityCodec<SigningKey>('signing-key/1', SIGNING_KEY), SIGNING_KEY),
  /** A primary key a secondary key (client_id, username, email) points at. */
  id: plainCodec('id/1', isString),
  /** A namespace version. */
  version: plainCodec('version/1', isString),
  count: plainCodec('count/1', isCount),
  names: plainCodec('names/1', isStrings),
} as const;
