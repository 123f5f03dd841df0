import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './digest.js';

/**
 * A seal over the parameters of a pushed authorization request (RFC 9126), carried by the login
 * and consent form: the `request_uri` is used up when the page is first shown, and the form's
 * POST proves with the seal that its parameters are the pushed ones, unchanged, and recent.
 */
export interface PushedRequestSeals {
  seal(params: Record<string, string>, expiresAt: Date): string;
  /** True for an unexpired seal over exactly `params` (constant-time MAC check). */
  verify(params: Record<string, string>, seal: string, now: Date): boolean;
}

function canonical(params: Record<string, string>): string {
  return JSON.stringify(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** @param key 32 bytes, e.g. `deriveKey(master, 'pushed-request-hmac')`, the same on every instance. */
export function createPushedRequestSeals(key: Buffer): PushedRequestSeals {
  const mac = (expires: string, params: Record<string, string>) =>
    createHmac('sha256', key).update(`authly-par\n${expires}\n${canonical(params)}`, 'utf8').digest('base64url');
  return {
    seal(params, expiresAt) {
      const expires = String(Math.floor(expiresAt.getTime() / 1000));
      return `${expires}.${mac(expires, params)}`;
    },
    verify(params, seal, now) {
      const [expires = '', tag = ''] = seal.split('.');
      if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 <= now.getTime()) return false;
      return constantTimeEqual(mac(expires, params), tag);
    },
  };
}
