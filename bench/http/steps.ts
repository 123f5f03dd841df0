/**
 * The HTTP exchanges of each workload, written once and driven two ways: by `fetch` (sanity checks
 * and minting tokens before a timed run) and by autocannon (the timed run). A workload is a
 * sequence of steps; one pass through it is one unit (a token, an introspection, a whole
 * authorization-code flow). Every step checks that its answer is the real thing, so a server that
 * answers fast with errors is counted as failing, not as fast.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A request as the drivers send it. */
export interface StepRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Response headers, names in lower case; `set-cookie` may repeat. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** State carried through one pass of a workload (cookies, PKCE verifier, code...). Fresh for each pass. */
export interface FlowState {
  cookies?: Map<string, { value: string; path: string }>;
  verifier?: string;
  next?: string;
  form?: Record<string, string>;
  code?: string;
  /** The last step's parsed answer, for callers that mint tokens with a workload. */
  result?: Record<string, unknown>;
}

/** One HTTP exchange of a workload. */
export interface Step {
  request(state: FlowState): StepRequest;
  /** True when the answer is what a working server sends; may record what later steps need. */
  accept(status: number, body: string, headers: ResponseHeaders, state: FlowState): boolean;
}

/** Where a server keeps its endpoints, and the registration the load generator uses there. */
export interface Target {
  kind: 'authly' | 'peer' | 'ceiling';
  endpoints: { token: string; introspect: string; authorize: string };
  client: { id: string; secret: string };
  user: { username: string; password: string };
  redirectUri: string;
}

const FORM = 'application/x-www-form-urlencoded';

/** RFC 6749 §2.3.1: client id and secret are form-encoded before the Basic encoding. */
export function basicAuth(client: { id: string; secret: string }): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`;
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function tokenRequest(target: Target, fields: Record<string, string>): StepRequest {
  return {
    method: 'POST',
    path: target.endpoints.token,
    headers: { 'content-type': FORM, authorization: basicAuth(target.client) },
    body: form(fields),
  };
}

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Stores `Set-Cookie` values (name, value and path: all a same-host flow needs). */
function storeCookies(headers: ResponseHeaders, state: FlowState): void {
  const raw = headers['set-cookie'];
  if (raw === undefined) return;
  state.cookies ??= new Map();
  for (const line of Array.isArray(raw) ? raw : [raw]) {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const path = attributes.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    // An expired or emptied cookie is a deletion.
    if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) state.cookies.delete(name);
    else state.cookies.set(name, { value, path });
  }
}

/** The `Cookie` header a browser would send to `path`. */
function cookieHeader(state: FlowState, path: string): Record<string, string> {
  const pathname = path.split('?')[0] ?? path;
  const pairs: string[] = [];
  for (const [name, cookie] of state.cookies ?? []) {
    if (pathname === cookie.path || pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`) || cookie.path === '/') {
      pairs.push(`${name}=${cookie.value}`);
    }
  }
  return pairs.length > 0 ? { cookie: pairs.join('; ') } : {};
}

/** Path and query of a same-origin `Location` (servers may send absolute URLs). */
function localPath(location: string): string {
  const url = new URL(location, 'http://same-origin.invalid');
  return `${url.pathname}${url.search}`;
}

function decodeHtml(value: string): string {
  return value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');
}

/** `grant_type=client_credentials`, asking for `read`; the answer must carry an access token. */
export function clientCredentials(target: Target): Step[] {
  const request = tokenRequest(target, { grant_type: 'client_credentials', scope: 'read' });
  return [
    {
      request: () => ({ ...request, headers: { ...request.headers } }),
      accept: (status, body, _headers, state) => {
        if (status !== 200 || !body.includes('"access_token"')) return false;
        state.result = { body };
        return true;
      },
    },
  ];
}

/** RFC 7662 introspection of tokens from `pool` in turn, as the client; each must be `active: true`. */
export function introspection(target: Target, pool: string[]): Step[] {
  let next = 0;
  return [
    {
      request: () => ({
        method: 'POST',
        path: target.endpoints.introspect,
        headers: { 'content-type': FORM, authorization: basicAuth(target.client) },
        body: form({ token: pool[next++ % pool.length] ?? '', token_type_hint: 'access_token' }),
      }),
      accept: (status, body) => status === 200 && body.includes('"active":true'),
    },
  ];
}

/**
 * `grant_type=refresh_token` with rotation: each answer's new refresh token goes back into `pool`
 * and is the one used next, so every token is presented exactly once (a replay would revoke the
 * family on both servers). Keep more tokens in the pool than connections.
 */
export function refresh(target: Target, pool: string[]): Step[] {
  return [
    {
      request: () => tokenRequest(target, { grant_type: 'refresh_token', refresh_token: pool.shift() ?? 'pool-exhausted' }),
      accept: (status, body) => {
        if (status !== 200) return false;
        const token = parseJson(body)?.refresh_token;
        if (typeof token !== 'string' || !body.includes('"access_token"')) return false;
        pool.push(token);
        return true;
      },
    },
  ];
}

/** The resource-owner password grant (ours only: node-oidc-provider has none), as the client. */
export function passwordGrant(target: Target): Step[] {
  const request = tokenRequest(target, { grant_type: 'password', username: target.user.username, password: target.user.password, scope: 'read' });
  return [
    {
      request: () => ({ ...request, headers: { ...request.headers } }),
      accept: (status, body) => status === 200 && body.includes('"access_token"') && body.includes('"refresh_token"'),
    },
  ];
}

function authorizationQuery(target: Target, state: FlowState): string {
  state.verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(state.verifier).digest('base64url');
  return new URLSearchParams({
    client_id: target.client.id,
    redirect_uri: target.redirectUri,
    response_type: 'code',
    // OpenID Connect Core §11: ours issues a refresh token on a login only for `offline_access`;
    // the peer is configured to issue one on every code exchange (bench/README.md).
    scope: target.kind === 'authly' ? 'openid offline_access' : 'openid',
    state: randomBytes(8).toString('hex'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
}

/** Reads the code off the redirect to the client. */
function acceptCode(status: number, headers: ResponseHeaders, state: FlowState, redirectUri: string): boolean {
  const location = header(headers, 'location');
  if ((status !== 302 && status !== 303) || !location?.startsWith(redirectUri)) return false;
  const code = new URL(location).searchParams.get('code');
  if (!code) return false;
  state.code = code;
  return true;
}

/** The code exchange that ends every flow: tokens, a refresh token and an ID token must come back. */
function exchangeCode(target: Target): Step {
  return {
    request: (state) =>
      tokenRequest(target, { grant_type: 'authorization_code', code: state.code ?? '', redirect_uri: target.redirectUri, code_verifier: state.verifier ?? '' }),
    accept: (status, body, _headers, state) => {
      if (status !== 200) return false;
      const json = parseJson(body);
      if (typeof json?.access_token !== 'string' || typeof json.refresh_token !== 'string' || typeof json.id_token !== 'string') return false;
      state.result = json;
      return true;
    },
  };
}

/**
 * A whole authorization-code flow with PKCE on our server, as a browser and client do it: the
 * login-and-consent page (with its CSRF cookie), the form post with the password (302 with a code),
 * and the code exchange.
 */
export function authlyCodeFlow(target: Target): Step[] {
  return [
    {
      request: (state) => ({ method: 'GET', path: `${target.endpoints.authorize}?${authorizationQuery(target, state)}`, headers: { accept: 'text/html' } }),
      accept: (status, body, headers, state) => {
        if (status !== 200 || !body.includes('id="consent-form"')) return false;
        storeCookies(headers, state);
        const fields: Record<string, string> = {};
        for (const match of body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[decodeHtml(match[1]!)] = decodeHtml(match[2]!);
        state.form = fields;
        return 'csrf_token' in fields;
      },
    },
    {
      request: (state) => ({
        method: 'POST',
        path: target.endpoints.authorize,
        headers: { 'content-type': FORM, ...cookieHeader(state, target.endpoints.authorize) },
        body: form({ ...state.form, username: target.user.username, password: target.user.password, approved: 'true' }),
      }),
      accept: (status, _body, headers, state) => acceptCode(status, headers, state, target.redirectUri),
    },
    exchangeCode(target),
  ];
}

/**
 * The same flow on node-oidc-provider: the authorization request redirects to the interaction
 * page (which sets its cookies), the page's form takes the password and the consent, the provider
 * resumes the authorization (303 with a code), and the code is exchanged.
 */
export function peerCodeFlow(target: Target): Step[] {
  const redirected = (status: number, headers: ResponseHeaders, state: FlowState): boolean => {
    storeCookies(headers, state);
    const location = header(headers, 'location');
    if ((status !== 302 && status !== 303) || !location) return false;
    state.next = localPath(location);
    return true;
  };
  const follow = (state: FlowState): StepRequest => ({ method: 'GET', path: state.next ?? '/', headers: { accept: 'text/html', ...cookieHeader(state, state.next ?? '/') } });
  return [
    {
      request: (state) => ({ method: 'GET', path: `${target.endpoints.authorize}?${authorizationQuery(target, state)}`, headers: { accept: 'text/html' } }),
      accept: (status, _body, headers, state) => redirected(status, headers, state) && state.next!.startsWith('/interaction/'),
    },
    {
      request: follow,
      accept: (status, body, headers, state) => {
        storeCookies(headers, state);
        const action = /<form method="post" action="([^"]+)" id="consent-form">/.exec(body)?.[1];
        if (status !== 200 || !action) return false;
        state.next = decodeHtml(action);
        return true;
      },
    },
    {
      request: (state) => ({
        method: 'POST',
        path: state.next ?? '/',
        headers: { 'content-type': FORM, ...cookieHeader(state, state.next ?? '/') },
        body: form({ username: target.user.username, password: target.user.password, approved: 'true' }),
      }),
      accept: (status, _body, headers, state) => redirected(status, headers, state),
    },
    {
      request: follow,
      accept: (status, _body, headers, state) => {
        storeCookies(headers, state);
        return acceptCode(status, headers, state, target.redirectUri);
      },
    },
    exchangeCode(target),
  ];
}

/** Response headers of a `fetch` answer in the drivers' shape. */
export function fetchHeaders(response: Response): ResponseHeaders {
  const headers: ResponseHeaders = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  return headers;
}

/**
 * Runs one pass of `steps` with `fetch` (no redirects followed) and returns the final state;
 * throws, naming the step and the answer, when a step's check fails.
 */
export async function runOnce(baseUrl: string, steps: Step[]): Promise<FlowState> {
  const state: FlowState = {};
  for (const [index, step] of steps.entries()) {
    const request = step.request(state);
    const response = await fetch(`${baseUrl}${request.path}`, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual' });
    const body = await response.text();
    if (!step.accept(response.status, body, fetchHeaders(response), state)) {
      throw new Error(`step ${index + 1} (${request.method} ${request.path.split('?')[0]}) answered ${response.status}: ${body.slice(0, 300)}`);
    }
  }
  return state;
}

/** Runs `count` passes, `concurrency` at a time; returns each pass's final state. */
export async function runMany(baseUrl: string, makeSteps: () => Step[], count: number, concurrency = 8): Promise<FlowState[]> {
  const results: FlowState[] = [];
  let started = 0;
  async function worker(): Promise<void> {
    while (started < count) {
      started += 1;
      results.push(await runOnce(baseUrl, makeSteps()));
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
