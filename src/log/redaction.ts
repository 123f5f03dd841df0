/**
 * What never reaches a log line: credentials in headers, bodies and query strings
 * (see Fastify's logging guide, "Log Redaction"). Tokens in logs are credentials.
 *
 * Redaction is done by pino serializers keyed on the top-level field names below, so it costs
 * nothing on a line that has none of them (a line per request, the audit lines): a wildcard
 * path (`*.password`) would walk every field of every line. The rule for code that logs is
 * therefore: log identifiers, never whole records; request data only under the container names
 * below (`req`, `headers`, `body`, `query`, `params`), errors only under `err`.
 */

/** Keys whose values are credentials wherever they appear in logged data. */
const SECRET_KEYS: readonly string[] = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'client_secret',
  'code_verifier',
  'refresh_token',
  'access_token',
  'id_token',
  'id_token_hint',
];

/** Replaced value, so a reader sees that the field was there without seeing it. */
export const LOG_REDACTED = '[Redacted]';

/**
 * In request payloads `code` (an authorization code, RFC 6749 §4.1.2) and `token` (the token
 * revoked or introspected, RFC 7009 §2.1, RFC 7662 §2.1) are credentials too. Elsewhere `code`
 * is an error code (`err.code = 'SQLITE_CORRUPT'`) that operators need to see.
 */
const PAYLOAD_SECRET_KEYS: ReadonlySet<string> = new Set([...SECRET_KEYS, 'code', 'token']);
const ANYWHERE_SECRET_KEYS: ReadonlySet<string> = new Set(SECRET_KEYS);

type Plain = Record<string, unknown>;

function isObject(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null;
}

/** A copy of `value` with the `secret` keys replaced, at its top level and one level down. */
function redactTwoLevels(value: unknown, secret: ReadonlySet<string>): unknown {
  if (!isObject(value) || Array.isArray(value)) return value;
  const out: Plain = {};
  for (const [key, item] of Object.entries(value)) {
    if (secret.has(key.toLowerCase())) out[key] = LOG_REDACTED;
    else if (isObject(item) && !Array.isArray(item)) out[key] = redactOneLevel(item, secret);
    else out[key] = item;
  }
  return out;
}

function redactOneLevel(value: Plain, secret: ReadonlySet<string>): Plain {
  const out: Plain = {};
  for (const [key, item] of Object.entries(value)) out[key] = secret.has(key.toLowerCase()) ? LOG_REDACTED : item;
  return out;
}

/** Request data (`headers`, `body`, `query`, `params`, or a request-like object): payload credentials two levels deep. */
export function redactPayload(value: unknown): unknown {
  return redactTwoLevels(value, PAYLOAD_SECRET_KEYS);
}

/** Any other container (an error's properties): the credential keys two levels deep, `code` kept. */
export function redactCredentials(value: unknown): unknown {
  return redactTwoLevels(value, ANYWHERE_SECRET_KEYS);
}

/** pino serializers for top-level fields that are themselves credentials: the value never shows. */
export const SECRET_FIELD_SERIALIZERS: Readonly<Record<string, () => string>> = Object.fromEntries(
  SECRET_KEYS.map((key) => [key, () => LOG_REDACTED]),
);

/** Query parameters whose values are credentials (RFC 6749 §4.1.2, OIDC RP-initiated logout). */
const SECRET_PARAMS: ReadonlySet<string> = PAYLOAD_SECRET_KEYS;

/** Replaces credential values in a request URL's query string: `/cb?code=abc` → `/cb?code=[Redacted]`. */
export function scrubUrl(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt < 0) return url;
  const params = url
    .slice(queryAt + 1)
    .split('&')
    .map(function scrubParam(pair) {
      const name = decodeURIComponentSafe(pair.split('=')[0] ?? '');
      return SECRET_PARAMS.has(name) ? `${pair.split('=')[0]}=[Redacted]` : pair;
    });
  return `${url.slice(0, queryAt)}?${params.join('&')}`;
}

/** The path of a request URL, without its query string (which may carry credentials). */
export function pathOf(url: string): string {
  const queryAt = url.indexOf('?');
  return queryAt < 0 ? url : url.slice(0, queryAt);
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
