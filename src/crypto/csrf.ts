import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './digest.js';
import type { RandomSource } from './random.js';

/** A nonce is 32 random bytes, base64url: anything else in the cookie is not one of ours. */
const NONCE = /^[A-Za-z0-9_-]{43}$/;

/**
 * CSRF tokens for the login and consent form (OWASP CSRF Prevention Cheat Sheet, "signed double
 * submit cookie"): the browser's cookie holds a random nonce, and the form's token is an HMAC of
 * that nonce and of what the form is for, under a server key. Whoever can set cookies for this
 * site (a sibling subdomain) can write a nonce, but cannot compute the token that goes with it,
 * and a token copied from another browser does not match this browser's nonce.
 */
export interface CsrfTokens {
  /** `current` when it is a well-formed nonce (several open forms share one), else a new one. */
  nonce(current: string | undefined): string;
  /** The form token for `nonce` and `binding` (the request the form belongs to). */
  token(nonce: string, binding: string): string;
  /** Constant-time check of a submitted token against the cookie's nonce and the binding. */
  verify(nonce: string | undefined, binding: string, token: string | undefined): boolean;
}

/**
 * @param key 32 bytes, e.g. `deriveKey(master, 'csrf-token-hmac')`, so every instance sharing the
 *   master key accepts the others' tokens.
 */
export function createCsrfTokens(key: Buffer, random: RandomSource): CsrfTokens {
  // The nonce has a fixed alphabet without newlines, so the message splits one way only.
  const mac = (nonce: string, binding: string): string =>
    createHmac('sha256', key).update(`authly-csrf\n${nonce}\n${binding}`, 'utf8').digest('base64url');
  return {
    nonce: (current) => (current !== undefined && NONCE.test(current) ? current : random.token(32)),
    token: mac,
    verify(nonce, binding, token) {
      if (nonce === undefined || token === undefined || !NONCE.test(nonce)) return false;
      return constantTimeEqual(mac(nonce, binding), token);
    },
  };
}
