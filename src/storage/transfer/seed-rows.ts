import { createHash } from 'node:crypto';
import { SEED_SCOPES } from '../migrations/seed-scopes.js';
import type { ColumnSchema } from './schema.js';
import type { WireRow } from './values.js';

/*
 * Realistic rows for `authly db seed`: what a benchmark or a rehearsal of a move needs (names in
 * several scripts, an OIDC address object, NULLs, arrays, sub-second timestamps), generated from
 * a seed so that user n is the same whenever it is generated. Nothing here is a real credential:
 * every user shares one password hash the caller computed, and token values are random digests.
 */

const GIVEN = ['Alice', 'Bjørn', 'Chloé', 'Dmitri', 'Eun-ji', 'Farah', 'Giulia', 'Hiroshi', 'Ingrid', 'José', 'Kwame', 'Łucja', 'Mei', 'Noah', 'Olúwaseun', 'Priya', 'Zoë'];
const FAMILY = ['Andersen', 'Brown', 'Çelik', 'Dubois', 'Eriksson', 'García', 'Hansen', 'Ivanova', 'Jensen', 'Kowalski', 'López', 'Müller', 'Nakamura', 'Okafor', 'Petrović', 'Smith', '王'];
const CITIES = [
  { locality: 'Oslo', region: 'Oslo', country: 'NO', zone: 'Europe/Oslo', locale: 'nb-NO', phone: '+47' },
  { locality: 'Kraków', region: 'Małopolskie', country: 'PL', zone: 'Europe/Warsaw', locale: 'pl-PL', phone: '+48' },
  { locality: 'São Paulo', region: 'SP', country: 'BR', zone: 'America/Sao_Paulo', locale: 'pt-BR', phone: '+55' },
  { locality: '東京', region: '東京都', country: 'JP', zone: 'Asia/Tokyo', locale: 'ja-JP', phone: '+81' },
  { locality: 'Lagos', region: 'Lagos', country: 'NG', zone: 'Africa/Lagos', locale: 'en-NG', phone: '+234' },
];
const NICKNAMES = [null, null, 'Ace 🚀', 'Sunny ☀️', 'Doc', null, 'Kiki 🐱'];
const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1', 'authly-cli/1.0'];

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)); not for secrets. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version-4-shaped UUID derived from a name, so the same user id can be derived again. */
export function derivedUuid(name: string): string {
  const bytes = createHash('sha256').update(name).digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function slug(text: string): string {
  return text.normalize('NFKD').replace(/[^A-Za-z0-9]/g, '').toLowerCase() || 'user';
}

/** A table's rows as the seed writes them: columns with their kinds, then rows in that order. */
export interface SeedTable {
  name: string;
  columns: ColumnSchema[];
  rows: (batchSize: number) => AsyncIterable<WireRow[]>;
  total: number;
}

function columns(spec: string): ColumnSchema[] {
  return spec.split(/\s+/).filter(Boolean).map((entry) => {
    const [name, kind] = entry.split(':') as [string, ColumnSchema['kind']];
    return { name, kind };
  });
}

async function* inBatches(total: number, batchSize: number, row: (n: number) => WireRow): AsyncGenerator<WireRow[]> {
  for (let start = 0; start < total; start += batchSize) {
    const batch: WireRow[] = [];
    for (let n = start; n < Math.min(total, start + batchSize); n++) batch.push(row(n));
    yield batch;
  }
}

/** Inputs of {@link seedTables}. */
export interface SeedPlan {
  users: number;
  tokensPerUser: number;
  passwordHash: string;
  /** Seeds the PRNG and the derived ids; another seed gives other ids. */
  seed: number;
  now: Date;
}

const SCOPES = [...SEED_SCOPES.map((scope) => ({ ...scope })), { scopeName: 'api:read', description: 'Read the example API', isDefault: false, isActive: true }, { scopeName: 'api:write', description: 'Write to the example API', isDefault: false, isActive: true }];
const CLIENTS = [
  { key: 'web', name: 'Example Web App', type: 'confidential', grants: ['authorization_code', 'refresh_token'], method: 'client_secret_basic', scopes: ['openid', 'profile', 'email', 'api:read'] },
  { key: 'spa', name: 'Example SPA', type: 'public', grants: ['authorization_code', 'refresh_token'], method: 'none', scopes: ['openid', 'profile'] },
  { key: 'batch', name: 'Nightly batch', type: 'confidential', grants: ['client_credentials'], method: 'client_secret_post', scopes: ['api:read', 'api:write'] },
];

/** The tables `authly db seed` writes, parents first. */
export function seedTables(plan: SeedPlan): SeedTable[] {
  const id = (kind: string, n: number | string) => derivedUuid(`${plan.seed}:${kind}:${n}`);
  const now = plan.now.getTime();
  const iso = (ms: number) => new Date(ms).toISOString();
  const clientIds = CLIENTS.map((client) => id('client', client.key));

  const users: SeedTable = {
    name: 'users',
    total: plan.users,
    columns: columns(`id:uuid username:text email:text password_hash:text created_at:time updated_at:time last_login:time
      is_active:bool is_verified:bool is_admin:bool requires_password_change:bool given_name:text family_name:text
      middle_name:text nickname:text preferred_username:text profile:text picture:text website:text gender:text
      birthdate:date zoneinfo:text locale:text phone_number:text phone_number_verified:bool address:json`),
    rows: (batchSize) =>
      inBatches(plan.users, batchSize, (n) => {
        const random = prng(plan.seed ^ (n * 2654435761));
        const given = pick(random, GIVEN);
        const family = pick(random, FAMILY);
        const city = pick(random, CITIES);
        const username = `${slug(given)}.${slug(family)}${n}`;
        const created = now - Math.floor(random() * 3 * 365 * 86_400_000);
        const hasAddress = random() < 0.7;
        const address = hasAddress
          ? JSON.stringify({
              formatted: `${n} Main Street\n${city.locality}`,
              street_address: `${n} Main Street`,
              locality: city.locality,
              region: city.region,
              postal_code: String(10000 + (n % 90000)),
              country: city.country,
            })
          : null;
        const year = 1950 + Math.floor(random() * 55);
        return [
          id('user', n), username, `${username}@example.com`, plan.passwordHash, iso(created), iso(created + Math.floor(random() * 86_400_000)),
          random() < 0.3 ? null : iso(now - Math.floor(random() * 30 * 86_400_000)),
          random() < 0.95, random() < 0.9, n === 0, false, given, family,
          random() < 0.1 ? pick(random, GIVEN) : null, pick(random, NICKNAMES), username,
          random() < 0.2 ? `https://profiles.example.com/${username}` : null,
          random() < 0.5 ? `https://img.example.com/avatars/${n}.png` : null, null,
          pick(random, ['female', 'male', 'non-binary', null]),
          random() < 0.6 ? `${year}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}` : null,
          city.zone, city.locale, random() < 0.5 ? `${city.phone} ${String(10_000_000 + n).slice(-8)}` : null,
          random() < 0.5 ? random() < 0.8 : null, address,
        ];
      }),
  };

  const scopes: SeedTable = {
    name: 'oauth_scopes',
    total: SCOPES.length,
    columns: columns('id:uuid scope_name:text description:text is_default:bool is_active:bool created_at:time updated_at:time'),
    rows: (batchSize) => inBatches(SCOPES.length, batchSize, (n) => {
      const scope = SCOPES[n]!;
      return [id('scope', scope.scopeName), scope.scopeName, scope.description, scope.isDefault, scope.isActive, iso(now), iso(now)];
    }),
  };

  const clients: SeedTable = {
    name: 'oauth_clients',
    total: CLIENTS.length,
    columns: columns(`id:uuid client_id:text client_secret_hash:text client_name:text client_type:text redirect_uris:array
      grant_types:array response_types:array scope:text is_active:bool created_at:time updated_at:time require_pkce:bool
      token_endpoint_auth_method:text contacts:array client_name_localized:json`),
    rows: (batchSize) => inBatches(CLIENTS.length, batchSize, (n) => {
      const client = CLIENTS[n]!;
      const secret = client.type === 'confidential' ? `hmac-sha256$${createHash('sha256').update(`${plan.seed}:${client.key}`).digest('base64url')}` : null;
      return [
        clientIds[n], `client_${client.key}_${plan.seed.toString(36)}`, secret, client.name, client.type,
        client.grants.includes('authorization_code') ? [`https://${client.key}.example.com/callback`] : [],
        client.grants, client.grants.includes('authorization_code') ? ['code'] : [], client.scopes.join(' '), true,
        iso(now), iso(now), client.type === 'public', client.method, n === 0 ? ['ops@example.com'] : [],
        n === 0 ? JSON.stringify({ 'nb-NO': 'Eksempel-app', 'ja-JP': 'サンプルアプリ' }) : null,
      ];
    }),
  };

  const links = CLIENTS.flatMap((client, n) => client.scopes.map((scope) => [clientIds[n], id('scope', scope)] as const));
  const clientScopes: SeedTable = {
    name: 'oauth_client_scopes',
    total: links.length,
    columns: columns('id:uuid client_id:uuid scope_id:uuid created_at:time'),
    rows: (batchSize) => inBatches(links.length, batchSize, (n) => [id('client-scope', n), links[n]![0], links[n]![1], iso(now)]),
  };

  const tokenTotal = plan.users * plan.tokensPerUser;
  const tokens: SeedTable = {
    name: 'tokens',
    total: tokenTotal,
    columns: columns(`id:uuid user_id:uuid client_id:uuid token_jti:text token_type:text token_value:text scope:text invalidated:bool
      invalidated_at:time expires_at:time created_at:time created_by_ip:text user_agent:text grant_id:uuid`),
    rows: (batchSize) => inBatches(tokenTotal, batchSize, (n) => {
      const user = Math.floor(n / plan.tokensPerUser);
      const k = n % plan.tokensPerUser;
      const random = prng(plan.seed ^ (n * 40503));
      const created = now - Math.floor(random() * 7 * 86_400_000) - random();
      const refresh = k % 2 === 1;
      const invalidated = random() < 0.1;
      const tokenId = id('token', n);
      return [
        tokenId, id('user', user), clientIds[n % 2], createHash('sha256').update(tokenId).digest('hex').slice(0, 32),
        refresh ? 'refresh' : 'access', createHash('sha256').update(`value:${tokenId}`).digest('base64url'), 'openid profile email',
        invalidated, invalidated ? iso(created + 60_000) : null, iso(created + (refresh ? 7 * 86_400_000 : 3_600_000)), iso(created),
        `203.0.113.${n % 250}`, pick(random, AGENTS), id('grant', `${user}:${Math.floor(k / 2)}`),
      ];
    }),
  };
  return [users, scopes, clients, clientScopes, tokens];
}
