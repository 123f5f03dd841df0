import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const workspaces: string[] = [];
afterAll(() => {
  for (const dir of workspaces) rmSync(dir, { recursive: true, force: true });
});

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'authly-keys-cli-'));
  workspaces.push(dir);
  return dir;
}

const KID = '[\\w-]{43}';
const ISO = '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z';

describe('authly keys', () => {
  it('rotate on a new SQLite file creates the current key and a staged one, and list shows both', async () => {
    const cwd = workspace();
    const rotate = await runCli(['keys', 'rotate'], { cwd });
    expect(rotate.code).toBe(0);
    const [, newKid, signsFrom] = rotate.stdout.match(new RegExp(`^created (${KID}) \\(ES256\\); it signs from (${ISO})\\n$`)) ?? [];
    expect(newKid).toBeDefined();
    // keys.rotation_delay_seconds defaults to one hour.
    expect(Date.parse(signsFrom ?? '') - Date.now()).toBeGreaterThan(3500_000);
    // The master key was generated beside the database, readable by its owner only.
    expect(statSync(join(cwd, 'data', 'authly.key')).mode & 0o777).toBe(0o600);
    expect(rotate.stderr).not.toContain(readFileSync(join(cwd, 'data', 'authly.key'), 'utf8').trim());

    const list = await runCli(['keys', 'list'], { cwd });
    expect(list.code).toBe(0);
    const [header, ...rows] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^KID\s+ALG\s+STATUS\s+CREATED\s+SIGNS-FROM\s+PUBLISH-UNTIL$/);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(new RegExp(`^${newKid}\\s+ES256\\s+staged\\s+${ISO}\\s+${signsFrom}\\s+-$`));
    expect(rows[1]).toMatch(new RegExp(`^${KID}\\s+ES256\\s+signing\\s+${ISO}\\s+-\\s+-$`));

    const json = await runCli(['keys', 'list', '--output', 'json'], { cwd });
    const keys = JSON.parse(json.stdout) as { kid: string; status: string }[];
    expect(keys.map((key) => key.status)).toEqual(['staged', 'signing']);
  });

  it('with rotation_delay_seconds 0, the rotated-in key signs at once and the previous one is retired', async () => {
    const cwd = workspace();
    const env = { AUTHLY_KEYS__ROTATION_DELAY_SECONDS: '0', AUTHLY_KEYS__ALGORITHM: 'EdDSA' };
    const rotate = await runCli(['keys', 'rotate'], { cwd, env });
    expect(rotate.stdout).toMatch(new RegExp(`^created ${KID} \\(EdDSA\\); it signs from now\\n$`));

    const list = await runCli(['keys', 'list'], { cwd, env });
    const rows = list.stdout.trimEnd().split('\n').slice(1);
    expect(rows[0]).toMatch(/\sEdDSA\s+signing\s/);
    expect(rows[1]).toMatch(new RegExp(`\\sEdDSA\\s+published\\s+${ISO}\\s+-\\s+${ISO}$`));
  });

  it('rotate --algorithm rotates that algorithm only, and refuses one the server does not sign with', async () => {
    const cwd = workspace();
    const rotate = await runCli(['keys', 'rotate', '--algorithm', 'RS256'], { cwd });
    expect(rotate.stdout).toMatch(new RegExp(`^created ${KID} \\(RS256\\); it signs from ${ISO}\\n$`));
    const keys = JSON.parse((await runCli(['keys', 'list', '--output', 'json'], { cwd })).stdout) as { algorithm: string; status: string }[];
    expect(keys.map((key) => `${key.algorithm} ${key.status}`)).toEqual(['RS256 staged', 'RS256 signing']);

    const refused = await runCli(['keys', 'rotate', '--algorithm', 'HS256'], { cwd });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('HS256');
  });

  it('reports a malformed master key as a configuration problem and exits 2', async () => {
    const cwd = workspace();
    const result = await runCli(['keys', 'list'], { cwd, env: { AUTHLY_SECRETS__MASTER_KEY: 'dG9vLXNob3J0' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'authly: invalid configuration (1 problem):\n' +
        '  - secrets.master_key: expected the base64url encoding of 32 bytes (43 characters), got "***" (from AUTHLY_SECRETS__MASTER_KEY)\n',
    );
  });
});
