// Temporary A/B harness (not committed): two builds of the server, interleaved rounds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLoad } from './http/load.js';
import { seedDatabase } from './http/seed.js';
import { startAuthly } from './http/servers.js';
import * as steps from './http/steps.js';

const [a, b, workload = 'client_credentials', seconds = '5', rounds = '4'] = process.argv.slice(2);
const servers = [];
for (const entry of [a!, b!]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ab-'));
  const env = { AUTHLY_DATABASE__SQLITE__PATH: path.join(dir, 'authly.db'), AUTHLY_RATE_LIMIT__ENABLED: 'false', AUTHLY_ADMIN_PASSWORD: 'Bench-admin-password-1' };
  const fixture = await seedDatabase(env);
  const server = await startAuthly(env, [], entry);
  const target: steps.Target = { kind: 'authly', endpoints: { token: '/api/v1/oauth/token', introspect: '/api/v1/oauth/introspect', authorize: '/api/v1/oauth/authorize' }, client: fixture.client, user: fixture.user, redirectUri: fixture.redirectUri };
  servers.push({ entry, server, target });
}
const results: Record<string, number[]> = {};
for (let r = 0; r < Number(rounds); r++) {
  for (const s of r % 2 ? [...servers].reverse() : servers) {
    let st: steps.Step[];
    if (workload === 'introspection') {
      const minted = await steps.runMany(s.server.url, () => steps.clientCredentials(s.target), 500);
      st = steps.introspection(s.target, minted.map((m) => (JSON.parse(String(m.result?.body)) as { access_token: string }).access_token));
    } else st = steps.clientCredentials(s.target);
    const res = await runLoad(s.server.url, st, { connections: 32, seconds: Number(seconds) });
    (results[s.entry] ??= []).push(res.units / Number(seconds));
    console.log(s.entry, Math.round(res.units / Number(seconds)), 'failures', res.failures);
  }
}
for (const [k, v] of Object.entries(results)) console.log(k, 'median', Math.round([...v].sort((x, y) => x - y)[Math.floor(v.length / 2)]!));
for (const s of servers) await s.server.stop();
