import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * SHA-256 digest of a high-entropy credential (authorization code, refresh or access token), as
 * stored in the database: a leaked table then yields nothing usable. No salt or
 * key is needed because the input has 256 bits of entropy.
 */
export function credentialDigest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** Constant-time string equality: compares digests, so lengths match. */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}
