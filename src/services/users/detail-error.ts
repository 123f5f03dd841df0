/** Options of a {@link DetailError}. */
export interface DetailErrorOptions {
  /** Authly's machine-readable code, e.g. `ADMIN_API_DISABLED`. */
  errorCode?: string;
  /** Extra response headers: `WWW-Authenticate` on 401/403, `Retry-After` on 429. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * An error of the users, auth and admin APIs, answered with FastAPI's `HTTPException` body
 * `{"detail": "..."}` (plus `error_code` when set), as Authly answers them. `detail` is shown to the client: never put secrets or internals in it.
 */
export class DetailError extends Error {
  override readonly name = 'DetailError';
  readonly status: number;
  readonly detail: string;
  readonly errorCode: string | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, detail: string, options: DetailErrorOptions = {}) {
    super(detail, { cause: options.cause });
    this.status = status;
    this.detail = detail;
    this.errorCode = options.errorCode;
    this.headers = options.headers ?? {};
  }
}

/** 400 with Authly's message. */
export function badRequest(detail: string): DetailError {
  return new DetailError(400, detail);
}

/** 404 with Authly's message. */
export function notFound(detail: string): DetailError {
  return new DetailError(404, detail);
}

/** RFC 6750 §3: a bearer-protected resource names its scheme on 401/403. */
export const BEARER_CHALLENGE: Readonly<Record<string, string>> = { 'WWW-Authenticate': 'Bearer' };

/** 429 `Rate limit exceeded` with `Retry-After` in whole seconds (RFC 9110 §10.2.3). */
export function rateLimitExceeded(retryAfterSeconds: number): DetailError {
  return new DetailError(429, 'Rate limit exceeded', { headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
}
