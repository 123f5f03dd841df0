import { createHmac } from 'node:crypto';
import { constantTimeEqual } from './digest.js';

/**
 * Server-provided DPoP nonces (RFC 9449 §8) without server state: a nonce names a time slot and
 * carries an HMAC of it under a key every instance derives from the master key, so any instance
 * accepts any other's nonce. A nonce is good for the slot it was issued in and the next one.
 */
export interface DpopNonces {
  /** The nonce to hand out now (`DPoP-Nonce` header). */
  current(now: Date): string;
  /** True for a nonce of this slot or the previous one (constant-time MAC check). */
  isValid(nonce: string, now: Date): boolean;
}

/**
 * @param key 32 bytes, e.g. `deriveKey(master, 'dpop-nonce-hmac')`.
 * @param slotSeconds how long one nonce is handed out; it is accepted for up to twice that.
 */
export function createDpopNonces(key: Buffer, slotSeconds = 300): DpopNonces {
  const slotOf = (now: Date) => Math.floor(now.getTime() / 1000 / slotSeconds);
  const mac = (slot: number) => createHmac('sha256', key).update(`authly-dpop-nonce\n${slot}`, 'utf8').digest('base64url');
  const nonceFor = (slot: number) => `${slot.toString(36)}.${mac(slot)}`;
  return {
    current: (now) => nonceFor(slotOf(now)),
    isValid(nonce, now) {
      const slot = slotOf(now);
      return [slot, slot - 1].some((candidate) => constantTimeEqual(nonce, nonceFor(candidate)));
    },
  };
}
