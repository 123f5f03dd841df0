import { describe, expect, it } from 'vitest';
import { formActionSource, isPublicClientRedirectUri, isSafeFormActionSource, isSafeRedirectTarget, isWebRedirectTarget, redirectUriProblem } from './redirect-uri.js';

describe('redirect URI rules', () => {
  it('accepts canonical https, loopback http and custom-scheme URIs', () => {
    for (const uri of ['https://app.example/cb', 'https://app.example/cb?tenant=a', 'http://127.0.0.1:8080/cb', 'http://[::1]/cb', 'com.example.app://cb', 'com.example.app:/cb']) {
      expect(redirectUriProblem(uri), uri).toBeUndefined();
    }
  });

  it('names the problem of a URI that a browser would run, reinterpret or split', () => {
    expect(redirectUriProblem('javascript://x/%0aalert(1)')).toMatch(/javascript: scheme/);
    expect(redirectUriProblem('DATA:text/html,x')).toMatch(/data: scheme/);
    expect(redirectUriProblem('https://app.example/cb#x')).toMatch(/fragment/);
    expect(redirectUriProblem('https://u:p@app.example/cb')).toMatch(/user information/);
    expect(redirectUriProblem('https://app.example/cb\n')).toMatch(/whitespace/);
    expect(redirectUriProblem('https://app.example/\u00a0')).toMatch(/whitespace/);
    expect(redirectUriProblem('https://app.example')).toBe('not in canonical form, which is https://app.example/');
    expect(redirectUriProblem('https://bücher.example/cb')).toMatch(/canonical form, which is https:\/\/xn--bcher-kva\.example\/cb/);
    expect(redirectUriProblem('not a url')).toMatch(/whitespace/);
    expect(redirectUriProblem('::')).toBe('not a valid URL');
  });

  it('checks stored URIs at authorization time without asking for canonical form', () => {
    expect(isSafeRedirectTarget('http://localhost:3000')).toBe(true);
    expect(isSafeRedirectTarget('JavaScript:alert(1)')).toBe(false);
    expect(isSafeRedirectTarget('java\tscript:alert(1)')).toBe(false);
    expect(isSafeRedirectTarget('blob:https://app.example/1')).toBe(false);
    expect(isSafeRedirectTarget('::')).toBe(false);
  });

  it('lets public clients use plain http only to the exact loopback names (RFC 8252 §7.3)', () => {
    expect(isPublicClientRedirectUri('http://localhost:3000/cb')).toBe(true);
    expect(isPublicClientRedirectUri('http://localhost.evil.example/cb')).toBe(false);
    expect(isPublicClientRedirectUri('http://127.0.0.1.nip.io/cb')).toBe(false);
    expect(isPublicClientRedirectUri('https://app.example/cb')).toBe(true);
    expect(isPublicClientRedirectUri('com.example.app://cb')).toBe(true);
  });

  it('gives CSP form-action an origin or an app scheme, never a script scheme or directive text', () => {
    expect(formActionSource('https://app.example/cb?x=1')).toBe('https://app.example');
    expect(formActionSource('com.example.app://cb')).toBe('com.example.app:');
    expect(formActionSource('javascript://x/%0aalert(1)')).toBeUndefined();
    expect(isSafeFormActionSource('javascript:')).toBe(false);
    expect(isSafeFormActionSource("https://a.example; script-src 'unsafe-eval'")).toBe(false);
    expect(isWebRedirectTarget('com.example.app://cb')).toBe(false);
    expect(isWebRedirectTarget('https://app.example/cb')).toBe(true);
  });
});
