import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { LoginThrottle } from '../../services/login-throttle.js';
import type { OAuthService } from '../../services/oauth-service.js';
import type { TokenRequest } from '../../services/token-request.js';
import { presentedCredentials } from '../client-credentials.js';
import { issuerFor } from '../issuer.js';
import { requestUri } from '../request-uri.js';
import { isFormRequest, singleValues } from '../request-params.js';
import { missingField, RequestValidationError } from '../validation.js';

/** Options of the token routes. */
export interface TokenRoutesOptions {
  oauth: OAuthService;
  issuer: string | null;
  /** Rate limits and lockout of password-grant logins; optional in tests. */
  throttle?: LoginThrottle;
}

/** RFC 6749 §5.1: token responses must not be cached. */
function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

function tokenRequest(request: FastifyRequest, params: Record<string, string>, issuer: string, configuredIssuer: string | null): TokenRequest {
  return {
    grantType: params.grant_type,
    code: params.code,
    redirectUri: params.redirect_uri,
    codeVerifier: params.code_verifier,
    refreshToken: params.refresh_token,
    scope: params.scope,
    username: params.username,
    password: params.password,
    deviceCode: params.device_code,
    credentials: presentedCredentials(request, params, configuredIssuer),
    issuer,
    // RFC 9449 §5: a DPoP proof at the token endpoint binds the tokens to its key.
    ...(request.headers.dpop !== undefined ? { dpop: { proof: request.headers.dpop, method: request.method, url: requestUri(request, configuredIssuer) } } : {}),
  };
}

/** `POST {P}/oauth/token` (form only) and Authly's JSON `POST {P}/oauth/refresh`. */
export const tokenRoutes: FastifyPluginAsync<TokenRoutesOptions> = async function tokenRoutes(app: FastifyInstance, options) {
  app.post('/oauth/token', { config: { oauthErrors: true } }, async function token(request, reply) {
    noStore(reply);
    // RFC 9449 §8: a fresh nonce with every answer when nonces are required.
    const nonce = options.oauth.dpopNonce();
    if (nonce) reply.header('dpop-nonce', nonce);
    // RFC 6749 §3.2: form-encoded only. A JSON body gets FastAPI's 422, as Authly answers.
    if (!isFormRequest(request.headers['content-type'])) throw new RequestValidationError([missingField('body', 'grant_type')]);
    const params = singleValues(request.body);
    if (!params.grant_type) throw new RequestValidationError([missingField('body', 'grant_type')]);
    const exchange = () => options.oauth.token(tokenRequest(request, params, issuerFor(request, options.issuer), options.issuer));
    // A password-grant login (after the missing-field check) passes the login
    // throttle: 429 when rate-limited or locked; failures count toward the lockout, success clears it.
    if (options.throttle && params.grant_type === 'password' && params.username && params.password) {
      return options.throttle.guard({ ip: request.clientAddress, username: params.username }, exchange);
    }
    return exchange();
  });

  app.post('/oauth/refresh', { config: { oauthErrors: true } }, async function refresh(request, reply) {
    noStore(reply);
    const params = singleValues(request.body);
    if (!params.refresh_token) throw new RequestValidationError([missingField('body', 'refresh_token')]);
    return options.oauth.refresh(tokenRequest(request, params, issuerFor(request, options.issuer), options.issuer));
  });
};
