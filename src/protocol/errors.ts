/**
 * OAuth 2.1 / OIDC error codes (RFC 6749 §4.1.2.1 and §5.2, RFC 7009 §2.2.1, OIDC Core §3.1.2.6).
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'unsupported_token_type'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'invalid_token'
  | 'invalid_request_uri'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'

  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata';

/** Options shared by every OAuth error. */
export interface OAuthErrorOptions {
  cause?: unknown;
  /** Extra response headers, e.g. `WWW-Authenticate`. */
  headers?: Record<string, string>;
}

/**
 * A protocol error shown to the client as `{error, error_description}`. `description` must
 * never hold secrets or internals; `cause` goes to logs only.
 */
export class OAuthError extends Error {
  override readonly name: string = 'OAuthError';
  readonly error: OAuthErrorCode;
  readonly description: string;
  readonly status: number;
  /** May be sent to the client's redirect URI (once that URI has been validated). */
  readonly redirectable: boolean;
  readonly headers: Record<string, string>;

  constructor(error: OAuthErrorCode, description: string, status = 400, redirectable = true, options: OAuthErrorOptions = {}) {
    super(`${error}: ${description}`, { cause: options.cause });
    this.error = error;
    this.description = description;
    this.status = status;
    this.redirectable = redirectable;
    this.headers = options.headers ?? {};
  }
}

/** RFC 6749 §5.2 `invalid_request`. */
export class InvalidRequest extends OAuthError {
  constructor(description: string, options?: OAuthErrorOptions) {
    super('invalid_request', description, 400, true, options);
  }
}

/** RFC 6749 §5.2 `invalid_client`: 401 with a `WWW-Authenticate` challenge (§5.2). */
export class InvalidClient extends OAuthError {
  constructor(description = 'Client authentication failed', options?: OAuthErrorOptions) {
    super('invalid_client', description, 401, false, {
      ...options,
      headers: { 'WWW-Authenticate': 'Basic realm="authly", charset="UTF-8"', ...options?.headers },
    });
  }
}

/** RFC 6749 §5.2 `invalid_grant`. */
export class InvalidGrant extends OAuthError {
  constructor(description: string, options?: OAuthErrorOptions & { status?: number }) {
    super('invalid_grant', description, options?.status ?? 400, false, options);
  }
}

/** RFC 6749 §5.2 `unauthorized_client`. */
export class UnauthorizedClient extends OAuthError {
  constructor(description: string, options?: OAuthErrorOptions) {
    super('unauthorized_client', description, 400, true, options);
  }
}

/** RFC 6749 §5.2 `unsupported_grant_type`. */
export class UnsupportedGrantType extends OAuthError {
  constructor(description: string, options?: OAuthErrorOptions) {
    super('unsupported_grant_type', description, 400, false, options);
  }
}

/** RFC 6749 §4.1.2.1 `unsupported_response_type`. */
export class UnsupportedResponseType extends OAuthError {
  constructor(description: string, options?: OAuthErrorOptions) {
    super('unsupported_response_type', description, 400, true, options);
  }
}

/** RFC 6749 §5.2 `invalid_scope`. */
export class InvalidScope extends OAuthError {
  constructor(description: string, options?: OAuthErrorOptions) {
    super('invalid_scope', description, 400, true, options);
  }
}

/** RFC 6749 §4.1.2.1 `access_denied`. */
export class AccessDenied extends OAuthError {
  constructor(description = 'The resource owner denied the request', options?: OAuthErrorOptions) {
    super('access_denied', description, 403, true, options);
  }
}

/** OIDC Core §3.1.2.6 `login_required`. */
export class LoginRequired extends OAuthError {
  constructor(description = 'User authentication required', options?: OAuthErrorOptions) {
    super('login_required', description, 400, true, options);
  }
}

/** OIDC Core §3.1.2.6 `consent_required`. */
export class ConsentRequired extends OAuthError {
  constructor(description = 'User consent required', options?: OAuthErrorOptions) {
    super('consent_required', description, 400, true, options);
  }
}

/** RFC 6750 §3.1 `invalid_token`: 401 with a Bearer challenge. */
export class InvalidToken extends OAuthError {
  constructor(description = 'The access token is invalid', options?: OAuthErrorOptions) {
    super('invalid_token', description, 401, false, {
      ...options,
      headers: { 'WWW-Authenticate': `Bearer error="invalid_token"`, ...options?.headers },
    });
  }
}

/** RFC 8628 §3.5 `authorization_pending`: the user has not answered yet; keep polling. */
export class AuthorizationPending extends OAuthError {
  constructor(description = 'The user has not yet completed the authorization') {
    super('authorization_pending', description, 400, false);
  }
}

/** RFC 8628 §3.5 `slow_down`: polling too fast; the interval rose by 5 seconds. */
export class SlowDown extends OAuthError {
  constructor(description = 'Polling too frequently; the interval was increased by 5 seconds') {
    super('slow_down', description, 400, false);
  }
}

/** RFC 8628 §3.5 `expired_token`: the device code expired; start again. */
export class ExpiredToken extends OAuthError {
  constructor(description = 'The device code has expired') {
    super('expired_token', description, 400, false);
  }
}

/** RFC 6749 §5.2 `server_error`: never carries internals. */
export class ServerError extends OAuthError {
  constructor(options?: OAuthErrorOptions) {
    super('server_error', 'The authorization server encountered an unexpected condition', 500, true, options);
  }
}

/** RFC 9126 §2.3 / RFC 9101 §6.2 `invalid_request_uri`: unknown, expired, used or foreign `request_uri`. */
export class InvalidRequestUri extends OAuthError {
  constructor(description = 'The request_uri is invalid, expired or already used', options?: OAuthErrorOptions) {
    super('invalid_request_uri', description, 400, true, options);
  }
}

/** RFC 9449 §5 and §7.1 `invalid_dpop_proof`: a missing, malformed, stale, replayed or mismatched proof. */
export class InvalidDpopProof extends OAuthError {
  constructor(description: string, options?: OAuthErrorOptions & { status?: number }) {
    super('invalid_dpop_proof', description, options?.status ?? 400, false, options);
  }
}

/** RFC 9449 §8 `use_dpop_nonce`: the proof must carry the nonce sent in the `DPoP-Nonce` header. */
export class UseDpopNonce extends OAuthError {
  constructor(nonce: string, options?: OAuthErrorOptions & { status?: number }) {
    super('use_dpop_nonce', 'Authorization server requires nonce in DPoP proof', options?.status ?? 400, false, {
      ...options,
      headers: { 'DPoP-Nonce': nonce, ...options?.headers },
    });
  }
}
