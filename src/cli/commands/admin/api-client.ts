import type { TokenStore, SavedTokens } from './token-store.js';

/** Authly's default base URL. */
export const DEFAULT_API_URL = 'http://localhost:8000';
const API_PREFIX = '/api/v1';
/** A token counts as valid until one minute before it expires. */
const EXPIRY_MARGIN_MS = 60_000;

/** An API answer that is not 2xx, with the server's message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  /** The OAuth `error` code of the body, when it has one. */
  readonly code: string | undefined;

  constructor(status: number, message: string, code?: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** RFC 8628 §3.2 device authorization response. */
export interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  expires_in: number;
  interval?: number;
}

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** The token endpoint's answer (RFC 6749 §5.1 plus Authly's flag). */
export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  token_type: string;
  scope?: string;
  requires_password_change?: boolean;
}

/** The message of an error body: FastAPI `detail` (string or validation list) or OAuth `error_description`. */
function messageOf(status: number, body: unknown): string {
  if (body && typeof body === 'object') {
    const { detail, error, error_description: description } = body as Record<string, unknown>;
    if (typeof detail === 'string') return detail;
    if (Array.isArray(detail)) {
      return detail.map((d: { loc?: unknown[]; msg?: string }) => `${(d.loc ?? []).slice(1).join('.')}: ${d.msg ?? ''}`).join('; ');
    }
    if (typeof description === 'string') return description;
    if (typeof error === 'string') return error;
  }
  return `HTTP ${status}`;
}

/**
 * The admin API over HTTP (global fetch), as Authly's CLI calls it: bearer token from
 * the token store, refreshed through `POST {P}/oauth/refresh` when it is about to expire.
 */
export class AdminApi {
  readonly baseUrl: string;
  readonly #store: TokenStore;
  readonly #now: () => number;

  constructor(baseUrl: string, store: TokenStore, now: () => number = Date.now) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#store = store;
    this.#now = now;
  }

  /** One request; `auth: false` sends no token. Throws {@link ApiError} on non-2xx. */
  async request<T>(method: string, path: string, options: { body?: unknown; form?: Record<string, string>; auth?: boolean; query?: Record<string, string | undefined> } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.auth !== false) headers.authorization = `Bearer ${await this.#accessToken()}`;
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`cannot reach the Authly API at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? String(error)}`, { cause: error });
    }
    const text = await response.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const code = parsed && typeof parsed === 'object' ? (parsed as { error?: unknown }).error : undefined;
      throw new ApiError(response.status, messageOf(response.status, parsed), typeof code === 'string' ? code : undefined);
    }
    return parsed as T;
  }

  /** Password grant without a client, as Authly's CLI logs in; saves the tokens. */
  async login(username: string, password: string, scope: string): Promise<TokenResponse> {
    const tokens = await this.request<TokenResponse>('POST', `${API_PREFIX}/oauth/token`, {
      auth: false,
      form: { grant_type: 'password', username, password, scope },
    });
    this.#save(tokens);
    return tokens;
  }

  /**
   * RFC 8628 device login: asks for a user code, shows it through `show`, then polls the token
   * endpoint at the interval the server gave (5 s more after each `slow_down`, §3.5) until the
   * user answers in a browser elsewhere. Saves the tokens with the client they belong to.
   */
  async deviceLogin(clientId: string, scope: string, show: (authorization: DeviceAuthorization) => void, sleep: (ms: number) => Promise<void>): Promise<TokenResponse> {
    const authorization = await this.request<DeviceAuthorization>('POST', `${API_PREFIX}/oauth/device_authorization`, {
      auth: false,
      form: { client_id: clientId, scope },
    });
    show(authorization);
    let interval = authorization.interval ?? 5;
    const deadline = this.#now() + authorization.expires_in * 1000;
    while (this.#now() < deadline) {
      await sleep(interval * 1000);
      try {
        const tokens = await this.request<TokenResponse>('POST', `${API_PREFIX}/oauth/token`, {
          auth: false,
          form: { grant_type: DEVICE_GRANT, device_code: authorization.device_code, client_id: clientId },
        });
        this.#save(tokens, undefined, clientId);
        return tokens;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (error.code === 'slow_down') interval += 5;
        else if (error.code !== 'authorization_pending') throw error;
      }
    }
    throw new Error('the code expired before it was entered: run `authly admin login --device` again');
  }

  /** Revokes both tokens (RFC 7009; Authly's JSON body) and forgets them. */
  async logout(): Promise<boolean> {
    const saved = this.#store.load();
    if (!saved) return false;
    const revoke = (token: string, hint: string) =>
      this.request('POST', `${API_PREFIX}/oauth/revoke`, { auth: false, body: { token, token_type_hint: hint } }).catch(() => undefined);
    await revoke(saved.access_token, 'access_token');
    if (saved.refresh_token) await revoke(saved.refresh_token, 'refresh_token');
    return this.#store.clear();
  }

  /** Exchanges the refresh token (Authly's `POST {P}/oauth/refresh`). */
  async refresh(): Promise<TokenResponse> {
    const saved = this.#store.load();
    if (!saved?.refresh_token) throw new Error('not logged in: run `authly admin login`');
    const tokens = await this.request<TokenResponse>('POST', `${API_PREFIX}/oauth/refresh`, {
      auth: false,
      body: { grant_type: 'refresh_token', refresh_token: saved.refresh_token, ...(saved.client_id ? { client_id: saved.client_id } : {}) },
    });
    this.#save(tokens, saved.refresh_token, saved.client_id);
    return tokens;
  }

  /** The saved login, if any. */
  saved(): SavedTokens | undefined {
    return this.#store.load();
  }

  async #accessToken(): Promise<string> {
    const saved = this.#store.load();
    if (!saved) throw new Error('not logged in: run `authly admin login`');
    if (Date.parse(saved.expires_at) - EXPIRY_MARGIN_MS > this.#now()) return saved.access_token;
    try {
      return (await this.refresh()).access_token;
    } catch {
      throw new Error('the saved login has expired: run `authly admin login`');
    }
  }

  #save(tokens: TokenResponse, previousRefresh?: string, clientId?: string): void {
    this.#store.save({
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token ?? previousRefresh ?? null,
      expires_at: new Date(this.#now() + tokens.expires_in * 1000).toISOString(),
      token_type: tokens.token_type,
      scope: tokens.scope ?? null,
      api_url: this.baseUrl,
      ...(clientId ? { client_id: clientId } : {}),
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
