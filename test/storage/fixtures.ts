import { createHash, randomBytes } from 'node:crypto';
import type { NewAuthorizationCode } from '../../src/domain/authorization-code.js';
import type { NewClient } from '../../src/domain/client.js';
import type { NewToken } from '../../src/domain/token.js';
import type { NewUser } from '../../src/domain/user.js';

/** A short random suffix so rows from repeated runs never collide. */
export function unique(prefix: string): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

/** A SHA-256 digest, as services store codes and refresh tokens. */
export function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/** A user with a few profile claims. */
export function makeUser(overrides: Partial<NewUser> = {}): NewUser {
  const name = unique('user_');
  return { username: name, email: `${name}@example.com`, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$x$y', ...overrides };
}

/** A confidential client. */
export function makeClient(overrides: Partial<NewClient> = {}): NewClient {
  return {
    clientId: unique('client_'),
    clientName: 'Contract test client',
    clientType: 'confidential',
    redirectUris: ['https://app.example.com/callback'],
    clientSecretHash: digest('secret'),
    ...overrides,
  };
}

/** An access token record expiring an hour after `now`. */
export function makeToken(userId: string, now: Date, overrides: Partial<NewToken> = {}): NewToken {
  const jti = unique('jti_');
  return {
    userId,
    jti,
    tokenType: 'access',
    tokenValue: digest(jti),
    expiresAt: new Date(now.getTime() + 3_600_000),
    scope: 'openid profile',
    ...overrides,
  };
}

/** An authorization code valid for ten minutes after `now`. */
export function makeCode(clientId: string, userId: string, now: Date, overrides: Partial<NewAuthorizationCode> = {}): NewAuthorizationCode {
  return {
    code: digest(unique('code_')),
    clientId,
    userId,
    redirectUri: 'https://app.example.com/callback',
    expiresAt: new Date(now.getTime() + 600_000),
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    scope: 'openid',
    nonce: 'n-0S6_WzA2Mj',
    state: 'af0ifjsldkj',
    responseMode: 'query',
    ...overrides,
  };
}
