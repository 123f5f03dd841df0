import { credentialDigest } from '../../crypto/digest.js';
import type { CsrfTokens } from '../../crypto/csrf.js';
import type { PasswordHasher } from '../../crypto/password-hasher.js';
import type { RandomSource } from '../../crypto/random.js';
import type { ClientSecrets } from '../../crypto/client-secret.js';
import type { Client } from '../../domain/client.js';
import type { DeviceCode } from '../../domain/device-code.js';
import type { User } from '../../domain/user.js';
import { API_PREFIX } from '../../protocol/discovery.js';
import { InvalidClient, InvalidScope, UnauthorizedClient } from '../../protocol/errors.js';
import { parseRequestedScope } from '../../protocol/scope.js';
import type { Repositories } from '../../repositories/repositories.js';
import type { Clock, Logger } from '../../repositories/ports.js';
import { authenticateRequestClient, type PresentedClientCredentials } from '../authenticate-client.js';
import type { ClientAuthThrottle } from '../client-auth-throttle.js';
import { authorizableScopeFilter } from '../client-scopes.js';
import type { ThrottleStore } from '../login-throttle-store.js';
import { verifyUserPassword } from '../verify-user-password.js';
import { formatUserCode, generateUserCode, normalizeUserCode } from './user-code.js';

/** The grant type of RFC 8628 §3.4. */
export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/** The device flow's settings, from configuration. */
export interface DeviceFlowSettings {
  expiresInSeconds: number;
  intervalSeconds: number;
  /** Wrong user codes per client address per window before entry is refused (RFC 8628 §5.1). */
  entryLimit: { enabled: boolean; perIp: number; windowSeconds: number };
}

/** What the device flow needs. */
export interface DeviceFlowDeps {
  repos: Repositories;
  clock: Clock;
  random: RandomSource;
  secrets: ClientSecrets;
  passwords: PasswordHasher;
  csrf: CsrfTokens;
  logger: Logger;
  /** Counts wrong user codes per address (memory or Redis, shared with the login throttle). */
  throttleStore?: ThrottleStore;
  clientAuthThrottle?: ClientAuthThrottle;
  settings: DeviceFlowSettings;
}

/** RFC 8628 §3.2 device authorization response. */
export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** A user code the user entered that matched a pending request, with what the page shows. */
export interface DeviceEntry {
  code: DeviceCode;
  client: Client;
  /** `XXXX-XXXX`, as it goes back into the form. */
  userCode: string;
  scopes: { name: string; description: string | null }[];
}

/** Why a user code was not accepted; the message is safe to show. */
export class DeviceEntryError extends Error {
  override readonly name = 'DeviceEntryError';
  readonly status: number;
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, status: number, retryAfterSeconds?: number) {
    super(message);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** How the user answered on the verification page. */
export type DeviceAnswer =
  | { approved: false }
  | { approved: true; user: User; authTime: Date; sid: string }
  | { approved: true; credentials: { username: string; password: string } };

/** What a completed answer did: who logged in (to start a browser session), if anyone. */
export interface DeviceAnswerResult {
  approved: boolean;
  login?: { user: User; authTime: Date; sid: string; fresh: boolean };
}

const CSRF_ENTRY_BINDING = '["device-entry"]';

/**
 * The Device Authorization Grant (RFC 8628) up to the token endpoint: the device authorization
 * endpoint (§3.1–3.2) and the verification page's use cases (§3.3). The token exchange itself
 * is `grants/device-code.ts`.
 */
export class DeviceFlow {
  readonly #deps: DeviceFlowDeps;

  constructor(deps: DeviceFlowDeps) {
    this.#deps = deps;
  }

  /**
   * RFC 8628 §3.1: authenticates the client as registered (a public client names itself), checks
   * it may use this grant and the scope, and stores the request with both codes as digests.
   */
  async start(credentials: PresentedClientCredentials, scope: string | undefined, issuer: string): Promise<DeviceAuthorizationResponse> {
    const client = await authenticateRequestClient(credentials, this.#deps);
    if (!client) throw new InvalidClient('client_id is required');
    if (!client.grantTypes.includes(DEVICE_CODE_GRANT_TYPE)) throw new UnauthorizedClient('The client may not use the device authorization grant');
    const scopes = await this.#grantableScopes(client, scope);
    const { clock, random, settings, repos } = this.#deps;
    const now = clock.now();
    const deviceCode = random.token(32);
    // A user code collision (unique digest) is retried with a fresh code.
    for (let attempt = 0; ; attempt += 1) {
      const userCode = generateUserCode(random);
      try {
        await repos.deviceCodes.save({
          deviceCode: credentialDigest(deviceCode),
          userCode: credentialDigest(userCode),
          clientId: client.id,
          scope: scopes.join(' ') || null,
          intervalSeconds: settings.intervalSeconds,
          expiresAt: new Date(now.getTime() + settings.expiresInSeconds * 1000),
        });
      } catch (error) {
        if (attempt < 3 && (error as Error).name === 'ConflictError') continue;
        throw error;
      }
      const verificationUri = `${issuer}${API_PREFIX}/oauth/device`;
      const shown = formatUserCode(userCode);
      return {
        device_code: deviceCode,
        user_code: shown,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?user_code=${shown}`,
        expires_in: settings.expiresInSeconds,
        interval: settings.intervalSeconds,
      };
    }
  }

  /**
   * The pending request a typed user code names. Wrong codes are counted per client address and
   * refused with 429 once over the limit (RFC 8628 §5.1: user codes are guessable by brute
   * force otherwise); a counter store failure lets the request through.
   */
  async enter(input: string | undefined, ip: string): Promise<DeviceEntry> {
    const { entryLimit } = this.#deps.settings;
    const key = `device:entry:ip:${ip}`;
    const store = entryLimit.enabled ? this.#deps.throttleStore : undefined;
    const seen = store ? await store.peek(`rate:${key}`).catch(() => undefined) : undefined;
    if (seen && seen.count >= entryLimit.perIp) {
      throw new DeviceEntryError('Too many wrong codes. Wait a moment and try again.', 429, Math.max(1, Math.ceil(seen.resetInMs / 1000)));
    }
    const normalized = normalizeUserCode(input);
    const code = normalized ? await this.#deps.repos.deviceCodes.findPendingByUserCode(credentialDigest(normalized), this.#deps.clock.now()) : undefined;
    const client = code ? await this.#deps.repos.clients.findById(code.clientId) : undefined;
    if (!code || !client?.isActive || !normalized) {
      await store?.increment(`rate:${key}`, entryLimit.windowSeconds * 1000).catch((error: unknown) => this.#deps.logger.warn({ err: error }, 'device code entry: counter store unavailable'));
      throw new DeviceEntryError('That code is not valid or has expired. Check the code on your device.', 400);
    }
    const names = (code.scope ?? '').split(' ').filter(Boolean);
    const known = new Map((await this.#deps.repos.scopes.findActiveByNames(names)).map((s) => [s.scopeName, s.description]));
    return { code, client, userCode: formatUserCode(normalized), scopes: names.map((name) => ({ name, description: known.get(name) ?? null })) };
  }

  /**
   * Records the user's answer (RFC 8628 §3.3). A password sign-in is checked like the login form;
   * an approval through a live session uses that session. False `approved` when the request was
   * answered or expired meanwhile.
   */
  async answer(entry: DeviceEntry, answer: DeviceAnswer): Promise<DeviceAnswerResult> {
    const { repos, clock, random } = this.#deps;
    const now = clock.now();
    if (!answer.approved) {
      await repos.deviceCodes.decide(entry.code.id, { approved: false }, now);
      return { approved: false };
    }
    const fresh = 'credentials' in answer;
    const user = fresh ? await verifyUserPassword(answer.credentials.username, answer.credentials.password, this.#deps) : answer.user;
    const authTime = fresh ? now : answer.authTime;
    // A fresh sign-in starts a browser session; its id is the one the ID token carries.
    const sid = fresh ? random.token(16) : answer.sid;
    const decided = await repos.deviceCodes.decide(entry.code.id, { approved: true, userId: user.id, authTime, sid }, now);
    if (fresh) await repos.users.recordLogin(user.id, now);
    return { approved: decided, login: { user, authTime, sid, fresh } };
  }

  /** CSRF token of the code entry form (signed double submit, see crypto/csrf.ts). */
  entryCsrf(cookieNonce: string | undefined): { nonce: string; token: string } {
    const nonce = this.#deps.csrf.nonce(cookieNonce);
    return { nonce, token: this.#deps.csrf.token(nonce, CSRF_ENTRY_BINDING) };
  }

  verifyEntryCsrf(cookieNonce: string | undefined, token: string | undefined): boolean {
    return this.#deps.csrf.verify(cookieNonce, CSRF_ENTRY_BINDING, token);
  }

  /** CSRF token of the consent form, bound to this request and to who was signed in. */
  consentCsrf(cookieNonce: string | undefined, entry: DeviceEntry, signedInUserId: string | undefined): { nonce: string; token: string } {
    const nonce = this.#deps.csrf.nonce(cookieNonce);
    return { nonce, token: this.#deps.csrf.token(nonce, consentBinding(entry, signedInUserId)) };
  }

  verifyConsentCsrf(cookieNonce: string | undefined, token: string | undefined, entry: DeviceEntry, signedInUserId: string | undefined): boolean {
    return this.#deps.csrf.verify(cookieNonce, consentBinding(entry, signedInUserId), token);
  }

  /** RFC 6749 §3.3 as the authorization endpoint applies it: registered, active, never unregistered admin scopes. */
  async #grantableScopes(client: Client, scope: string | undefined): Promise<string[]> {
    const { repos } = this.#deps;
    const requested = parseRequestedScope(scope);
    const mayGrant = await authorizableScopeFilter(client, repos);
    if (requested.length === 0) return (await repos.scopes.findDefaults()).map((s) => s.scopeName).filter(mayGrant);
    const grantable = new Set((await repos.scopes.findActiveByNames(requested)).map((s) => s.scopeName).filter(mayGrant));
    const refused = requested.filter((name) => !grantable.has(name));
    if (refused.length > 0) throw new InvalidScope(`The requested scope is invalid, unknown, or not allowed: ${refused.join(' ')}`);
    return [...new Set(requested)];
  }
}

function consentBinding(entry: DeviceEntry, signedInUserId: string | undefined): string {
  return JSON.stringify(['device', entry.code.id, signedInUserId ?? '']);
}
