/**
 * What never reaches a log line: credentials in headers, bodies and query strings
 * (see Fastify's logging guide, "Log Redaction"). Tokens in logs are credentials.
 */

/** Keys redacted at the top level of a log object and one or two levels down. */
const SECRET_KEYS = [
  'authorization',
  'cookie',
  '"set-cookie"',
  'password',
  'client_secret',
  'code_verifier',
  'refresh_token',
  'access_token',
  'id_token',
  'id_token_hint',
] as const;

/**
 * `code` is redacted only inside request payloads: elsewhere `code` is an error code
 * (`err.code = 'SQLITE_CORRUPT'`) that operators need to see.
 */
const CODE_PATHS = ['body.code', 'query.code', 'req.body.code', 'req.query.code', 'params.code'];

function atDepths(key: string): string[] {
  const bracketed = key.startsWith('"');
  const child = bracketed ? `[${key}]` : `.${key}`;
  return [bracketed ? `[${key}]` : key, `*${child}`, `*.*${child}`];
}

/** pino `redact.paths` (fast-redact syntax). */
export const REDACT_PATHS: readonly string[] = [...SECRET_KEYS.flatMap(atDepths), ...CODE_PATHS];

/** Query parameters whose values are credentials (RFC 6749 §4.1.2, OIDC RP-initiated logout). */
const SECRET_PARAMS = new Set([...SECRET_KEYS.map((k) => k.replaceAll('"', '')), 'code', 'token']);

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

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
