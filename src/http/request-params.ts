import { InvalidRequest } from '../protocol/errors.js';

/**
 * Flattens a parsed query or form into single string values. RFC 6749 §3.1: "Request and
 * response parameters MUST NOT be included more than once", so a repeated one is rejected;
 * anything that is not a string (a nested JSON value) is too.
 */
export function singleValues(input: unknown): Record<string, string> {
  if (input === null || input === undefined) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new InvalidRequest('The request parameters must be a set of name/value pairs');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    // JSON bodies may say `"scope": null` for "absent".
    if (value === null) continue;
    if (Array.isArray(value)) throw new InvalidRequest(`The ${name} parameter must not be repeated`);
    if (typeof value !== 'string') throw new InvalidRequest(`The ${name} parameter must be a string`);
    out[name] = value;
  }
  return out;
}

/** True for `application/x-www-form-urlencoded` bodies (RFC 6749 §3.2). */
export function isFormRequest(contentType: string | undefined): boolean {
  return /^application\/x-www-form-urlencoded\b/i.test(contentType ?? '');
}

/** True for `application/json` (and `+json`) bodies. */
export function isJsonRequest(contentType: string | undefined): boolean {
  return /^application\/([\w.-]+\+)?json\b/i.test(contentType ?? '');
}
