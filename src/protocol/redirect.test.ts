import { describe, expect, it } from 'vitest';
import { buildAuthorizationResponse, isRegisteredRedirectUri } from './redirect.js';

describe('authorization responses', () => {
  it('matches redirect URIs by exact string only (OAuth 2.1 §4.1.1)', () => {
    const registered = ['https://app.example/cb', 'http://127.0.0.1:8080/cb'];
    expect(isRegisteredRedirectUri('https://app.example/cb', registered)).toBe(true);
    expect(isRegisteredRedirectUri('https://app.example/cb/', registered)).toBe(false);
    expect(isRegisteredRedirectUri('https://APP.example/cb', registered)).toBe(false);
    expect(isRegisteredRedirectUri('http://127.0.0.1:9090/cb', registered)).toBe(false);
  });

  it('keeps the registered query and drops undefined parameters (query mode)', () => {
    const response = buildAuthorizationResponse('https://app.example/cb?tenant=a', { code: 'c', state: undefined, iss: 'https://as' });
    expect(response).toEqual({ kind: 'redirect', location: 'https://app.example/cb?tenant=a&code=c&iss=https%3A%2F%2Fas' });
  });

  it('puts parameters in the fragment, or in a form for form_post', () => {
    expect(buildAuthorizationResponse('https://app.example/cb', { code: 'c', state: 's' }, 'fragment')).toEqual({
      kind: 'redirect',
      location: 'https://app.example/cb#code=c&state=s',
    });
    expect(buildAuthorizationResponse('https://app.example/cb', { code: 'c' }, 'form_post')).toEqual({
      kind: 'form_post',
      action: 'https://app.example/cb',
      fields: { code: 'c' },
    });
  });

  it('works with a native app custom scheme', () => {
    const response = buildAuthorizationResponse('com.example.app:/oauth', { code: 'c' });
    expect(response).toEqual({ kind: 'redirect', location: 'com.example.app:/oauth?code=c' });
  });
});
