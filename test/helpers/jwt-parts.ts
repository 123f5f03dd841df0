/** Base64url of a JSON value: a JWT header or payload segment (RFC 7515 §2), for building forgeries. */
export const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The decoded header and payload of a compact JWT and its signature segment as sent. */
export function parts(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: string } {
  const [h, p, s] = token.split('.');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()), payload: JSON.parse(Buffer.from(p!, 'base64url').toString()), signature: s! };
}
