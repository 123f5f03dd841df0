import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestBackend, type TestServer } from '../helpers/app.js';
import { introspect, obtainCode, tokenRequest } from '../helpers/oauth-flow.js';
import { hasPostgres } from '../helpers/services.js';

/**
 * RFC 9700 §4.14.2: once a refresh token is presented twice, nothing of its family may survive,
 * and RFC 6749 §4.1.2: a code redeemed twice revokes what it issued. The attack here is the
 * hard case: every presentation arrives at once, so the request that rotates (or redeems) and
 * the one that detects the reuse race each other inside the server.
 */
const BACKENDS: { backend: TestBackend; enabled: boolean }[] = [
  { backend: 'sqlite', enabled: true },
  { backend: 'postgresql', enabled: hasPostgres },
];

/** Trials per attack; presenters cycle through 2–8 so both narrow and wide races are tried. */
const REFRESH_TRIALS = 10;
const CODE_TRIALS = 7;

type Answer = { status: number; body: Record<string, unknown> };

for (const { backend, enabled } of BACKENDS) {
  describe.skipIf(!enabled)(`token families under concurrent reuse (${backend})`, () => {
    let server: TestServer;

    beforeAll(async () => {
      // The trials log in many times a minute; the login rate limit is not what is tested here.
      server = await startTestServer(backend, { AUTHLY_RATE_LIMIT__ENABLED: 'false' });
    });
    afterAll(async () => server?.close());

    /** Authly's JSON refresh path, which the admin CLI uses. */
    async function jsonRefresh(refreshToken: string): Promise<Answer> {
      const response = await fetch(`${server.url}/api/v1/oauth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: refreshToken }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    }

    /** Half the presenters use the token endpoint, half Authly's JSON path: both rotate. */
    function refresh(refreshToken: string, i: number): Promise<Answer> {
      return i % 2 === 0 ? tokenRequest(server, { grant_type: 'refresh_token', refresh_token: refreshToken }) : jsonRefresh(refreshToken);
    }

    async function expectFamilyDead(tokens: string[], answers: Answer[]): Promise<void> {
      const winners = answers.filter((a) => a.status === 200);
      // Only one presentation can rotate; every other one is refused as a replay.
      expect(winners.length).toBeLessThanOrEqual(1);
      for (const a of answers) if (a.status !== 200) expect(a).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      const issued = winners.flatMap((w) => [w.body.access_token as string, w.body.refresh_token as string]);
      for (const token of [...tokens, ...issued]) expect(await introspect(server, token)).toEqual({ active: false });
      for (const w of winners) {
        const again = await refresh(w.body.refresh_token as string, 0);
        expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      }
    }

    it(`revokes the whole family when 2–8 requests refresh one token at once (${REFRESH_TRIALS} trials)`, async () => {
      for (let trial = 0; trial < REFRESH_TRIALS; trial++) {
        const presenters = 2 + (trial % 7);
        const login = await tokenRequest(server, { grant_type: 'password', username: server.user.username, password: server.password, scope: 'read' });
        expect(login.status).toBe(200);
        const original = login.body.refresh_token as string;
        const answers = await Promise.all(Array.from({ length: presenters }, (_, i) => refresh(original, i)));
        await expectFamilyDead([login.body.access_token as string, original], answers);
      }
    });

    it(`revokes what a code issued when 2–8 requests redeem it at once (${CODE_TRIALS} trials)`, async () => {
      const basic = { id: server.confidential.client.clientId, secret: server.confidential.secret };
      for (let trial = 0; trial < CODE_TRIALS; trial++) {
        const presenters = 2 + (trial % 7);
        const { code, verifier } = await obtainCode(server, basic.id, { scope: 'read' });
        const form = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: server.redirectUri };
        const answers = await Promise.all(Array.from({ length: presenters }, () => tokenRequest(server, form, basic)));
        const winners = answers.filter((a) => a.status === 200);
        expect(winners.length).toBeLessThanOrEqual(1);
        for (const a of answers) if (a.status !== 200) expect(a).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
        for (const w of winners) {
          expect(await introspect(server, w.body.access_token as string)).toEqual({ active: false });
          expect(await introspect(server, w.body.refresh_token as string)).toEqual({ active: false });
          // A confidential client refreshes with its credentials.
          const again = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: w.body.refresh_token as string }, basic);
          expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
        }
      }
    });

    it('still rotates normally when a refresh token is presented once', async () => {
      const login = await tokenRequest(server, { grant_type: 'password', username: server.user.username, password: server.password, scope: 'read' });
      const first = await refresh(login.body.refresh_token as string, 0);
      expect(first.status).toBe(200);
      const second = await refresh(first.body.refresh_token as string, 1);
      expect(second.status).toBe(200);
      expect(await introspect(server, second.body.access_token as string)).toMatchObject({ active: true });
      // The rotated-away token is dead; presenting it now is a replay that kills the family.
      expect(await refresh(first.body.refresh_token as string, 0)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      expect(await introspect(server, second.body.refresh_token as string)).toEqual({ active: false });
    });
  });
}
