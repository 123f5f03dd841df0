import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repositories } from '../../src/repositories/repositories.js';
import type { UserListQuery } from '../../src/domain/user.js';
import { ConflictError } from '../../src/repositories/errors.js';
import { digest, makeClient, makeCode, makeToken, makeUser, unique } from './fixtures.js';

/** A backend under test: its repositories and how to let it go. */
export interface ContractSubject {
  repositories: Repositories;
  close(): Promise<void>;
}

const HOUR = 3_600_000;

/**
 * The repository contract: one suite, run unchanged against every backend (and, from the
 * cache layer, through every cache mode). It states what services may rely on.
 */
export function runRepositoryContract(label: string, open: () => Promise<ContractSubject>): void {
  describe(`repository contract: ${label}`, () => {
    let subject: ContractSubject;
    let repos: Repositories;

    beforeAll(async () => {
      subject = await open();
      repos = subject.repositories;
    });
    afterAll(async () => {
      await subject?.close();
    });

    describe('reads after writes (what a cache in front must not get wrong)', () => {
      it('sees every write to a client on the next read, by id and by client_id', async () => {
        const created = await repos.clients.create(makeClient({ clientName: 'Before' }), ['read']);
        expect((await repos.clients.findByClientId(created.clientId))?.clientName).toBe('Before');
        expect((await repos.clients.findById(created.id))?.clientName).toBe('Before');
        expect(await repos.clients.findScopes(created.id)).toEqual(['read']);
        await repos.clients.update(created.id, { clientName: 'After', redirectUris: ['https://after.example/cb'] });
        expect((await repos.clients.findByClientId(created.clientId))?.clientName).toBe('After');
        expect((await repos.clients.findById(created.id))?.redirectUris).toEqual(['https://after.example/cb']);
        await repos.clients.setScopes(created.id, ['write']);
        expect(await repos.clients.findScopes(created.id)).toEqual(['write']);
        await repos.clients.update(created.id, { isActive: false });
        expect(await repos.clients.findByClientId(created.clientId)).toBeUndefined();
        await repos.clients.delete(created.id);
        expect(await repos.clients.findById(created.id)).toBeUndefined();
      });

      it('sees a renamed user under the new name only, and a deleted user nowhere', async () => {
        const created = await repos.users.create(makeUser());
        expect((await repos.users.findByUsername(created.username))?.id).toBe(created.id);
        expect((await repos.users.findByEmail(created.email))?.id).toBe(created.id);
        const renamed = unique('renamed_');
        await repos.users.update(created.id, { username: renamed, email: `${renamed}@example.com`, isActive: false });
        expect(await repos.users.findByUsername(created.username)).toBeUndefined();
        expect(await repos.users.findByEmail(created.email)).toBeUndefined();
        expect(await repos.users.findByUsername(renamed)).toMatchObject({ id: created.id, isActive: false });
        expect((await repos.users.findById(created.id))?.username).toBe(renamed);
        await repos.users.delete(created.id);
        expect(await repos.users.findById(created.id)).toBeUndefined();
        expect(await repos.users.findByUsername(renamed)).toBeUndefined();
      });

      it('sees a raised session epoch at once, by id and by name, and keeps it with other changes in one write', async () => {
        const created = await repos.users.create(makeUser());
        expect(created.sessionEpoch).toBe(0);
        await repos.users.findById(created.id);
        await repos.users.findByUsername(created.username);
        const ended = await repos.users.update(created.id, {}, { endSessions: true });
        expect(ended?.sessionEpoch).toBe(1);
        expect((await repos.users.findById(created.id))?.sessionEpoch).toBe(1);
        expect((await repos.users.findByUsername(created.username))?.sessionEpoch).toBe(1);
        const both = await repos.users.update(created.id, { isActive: false }, { endSessions: true });
        expect(both).toMatchObject({ sessionEpoch: 2, isActive: false });
        // Concurrent raises never lose one: the increment happens in the database.
        await Promise.all(Array.from({ length: 10 }, () => repos.users.update(created.id, {}, { endSessions: true })));
        expect((await repos.users.findById(created.id))?.sessionEpoch).toBe(12);
        expect((await repos.users.update(created.id, { givenName: 'Same' }))?.sessionEpoch).toBe(12);
      });

      it('reads credentials from storage only: the hash with the current row, by name or id, never in a User', async () => {
        const created = await repos.users.create(makeUser({ passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$first$hash' }));
        expect(created).not.toHaveProperty('passwordHash');
        expect(await repos.users.findById(created.id)).not.toHaveProperty('passwordHash');
        const byName = await repos.users.findCredentials({ username: created.username.toUpperCase() });
        expect(byName).toMatchObject({ user: { id: created.id }, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$first$hash' });
        await repos.users.findById(created.id);
        await repos.users.update(created.id, { passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$second$hash', isVerified: true });
        expect(await repos.users.findCredentials({ id: created.id })).toMatchObject({ user: { isVerified: true }, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$second$hash' });
        expect(await repos.users.findCredentials({ username: unique('nobody_') })).toBeUndefined();
        expect((await repos.users.list({ search: created.username, limit: 5, offset: 0 })).users[0]).not.toHaveProperty('passwordHash');
      });

      it('finds other accounts holding a name as username or preferred_username, ignoring case', async () => {
        const holder = await repos.users.create(makeUser());
        const shown = await repos.users.create(makeUser({ preferredUsername: unique('Shown_') }));
        const asker = await repos.users.create(makeUser());
        expect((await repos.users.findByDisplayNames([holder.username.toUpperCase()], asker.id, 5)).map((u) => u.id)).toEqual([holder.id]);
        expect((await repos.users.findByDisplayNames(['nobody', shown.preferredUsername!.toLowerCase()], asker.id, 5)).map((u) => u.id)).toEqual([shown.id]);
        expect(await repos.users.findByDisplayNames([holder.username], holder.id, 5)).toEqual([]);
        expect(await repos.users.findByDisplayNames([], asker.id, 5)).toEqual([]);
      });

      it('sees scope and signing-key changes in lookups and listings at once', async () => {
        const name = unique('rw:');
        const scope = await repos.scopes.create({ scopeName: name, isDefault: true });
        expect((await repos.scopes.findDefaults()).map((s) => s.scopeName)).toContain(name);
        expect((await repos.scopes.list({ limit: 1000, offset: 0 })).map((s) => s.scopeName)).toContain(name);
        await repos.scopes.update(scope.id, { isDefault: false, isActive: false });
        expect((await repos.scopes.findDefaults()).map((s) => s.scopeName)).not.toContain(name);
        expect((await repos.scopes.list({ limit: 1000, offset: 0 })).map((s) => s.scopeName)).not.toContain(name);
        expect((await repos.scopes.findByName(name))?.isActive).toBe(false);

        const kid = unique('rw-kid-');
        await repos.signingKeys.add({ kid, keyData: { kty: 'EC' }, keyType: 'EC', algorithm: 'ES256' });
        expect((await repos.signingKeys.listActive()).map((k) => k.kid)).toContain(kid);
        expect((await repos.signingKeys.findByKid(kid))?.isActive).toBe(true);
        await repos.signingKeys.retire(kid, new Date(Date.now() + HOUR));
        expect((await repos.signingKeys.listActive()).map((k) => k.kid)).not.toContain(kid);
        expect((await repos.signingKeys.findByKid(kid))?.isActive).toBe(false);
      });
    });

    describe('users', () => {
      it('creates a user with schema defaults and finds it by id', async () => {
        const created = await repos.users.create(makeUser());
        expect(created).toMatchObject({ isActive: true, isVerified: false, isAdmin: false, requiresPasswordChange: false });
        expect(created.createdAt).toBeInstanceOf(Date);
        expect(await repos.users.findById(created.id)).toEqual(created);
        expect(await repos.users.findById('00000000-0000-4000-8000-000000000000')).toBeUndefined();
      });

      it('finds users by username and email ignoring case', async () => {
        const created = await repos.users.create(makeUser({ username: unique('MixedCase_'), email: `${unique('Mail')}@Example.COM` }));
        expect((await repos.users.findByUsername(created.username.toUpperCase()))?.id).toBe(created.id);
        expect((await repos.users.findByUsername(created.username.toLowerCase()))?.id).toBe(created.id);
        expect((await repos.users.findByEmail(created.email.toLowerCase()))?.id).toBe(created.id);
        expect(await repos.users.findByUsername(unique('nobody_'))).toBeUndefined();
        expect(await repos.users.findByEmail(`${unique('nobody')}@example.com`)).toBeUndefined();
      });

      it('round-trips every OIDC claim, unicode and a nested address', async () => {
        const address = { formatted: 'Storgata 1\n0155 Oslo', street_address: 'Storgata 1', locality: 'Ōslo — 東京', postal_code: '0155', country: 'NO' };
        const created = await repos.users.create(
          makeUser({
            givenName: 'Zoë', familyName: 'Ødegård', middleName: 'Ἀθηνᾶ', nickname: '😀', preferredUsername: 'zoe',
            profile: 'https://example.com/zoe', picture: 'https://example.com/zoe.png', website: 'https://zoe.example',
            gender: 'female', birthdate: '1990-12-31', zoneinfo: 'Europe/Oslo', locale: 'nb-NO',
            phoneNumber: '+47 12345678', phoneNumberVerified: true, address, isAdmin: true, isVerified: true,
          }),
        );
        const found = await repos.users.findById(created.id);
        expect(found).toMatchObject({ givenName: 'Zoë', familyName: 'Ødegård', middleName: 'Ἀθηνᾶ', nickname: '😀', birthdate: '1990-12-31', phoneNumberVerified: true, address, isAdmin: true, isVerified: true });
      });

      it('updates only the named fields, clears with null, and records the change time', async () => {
        const created = await repos.users.create(makeUser({ givenName: 'Ann', familyName: 'Lee' }));
        const lastLogin = new Date('2026-01-02T03:04:05.678Z');
        const updated = await repos.users.update(created.id, { givenName: 'Anne', familyName: null, lastLogin, isActive: false, address: { country: 'SE' } });
        expect(updated).toMatchObject({ givenName: 'Anne', familyName: null, lastLogin, isActive: false, address: { country: 'SE' }, email: created.email });
        expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
        expect(await repos.users.update('00000000-0000-4000-8000-000000000000', { givenName: 'x' })).toBeUndefined();
      });

      it('records a login: last_login and the change time, nothing else', async () => {
        const created = await repos.users.create(makeUser({ givenName: 'Ann' }));
        const at = new Date('2026-02-03T04:05:06.789Z');
        await repos.users.recordLogin(created.id, at);
        const found = await repos.users.findById(created.id);
        expect(found).toEqual({ ...created, lastLogin: at, updatedAt: found!.updatedAt });
        expect(found!.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
        await expect(repos.users.recordLogin('00000000-0000-4000-8000-000000000000', at)).resolves.toBeUndefined();
      });

      it('raises a typed Conflict for a taken username or email, on create and on update', async () => {
        const first = await repos.users.create(makeUser());
        await expect(repos.users.create(makeUser({ username: first.username }))).rejects.toBeInstanceOf(ConflictError);
        await expect(repos.users.create(makeUser({ email: first.email }))).rejects.toBeInstanceOf(ConflictError);
        const second = await repos.users.create(makeUser());
        await expect(repos.users.update(second.id, { username: first.username })).rejects.toBeInstanceOf(ConflictError);
        expect((await repos.users.findById(second.id))?.username).toBe(second.username);
      });

      it('deletes a user and cascades to its tokens and authorization codes', async () => {
        const user = await repos.users.create(makeUser());
        const client = await repos.clients.create(makeClient());
        const now = new Date();
        const token = await repos.tokens.save(makeToken(user.id, now));
        const code = await repos.authorizationCodes.save(makeCode(client.id, user.id, now));
        expect(await repos.users.delete(user.id)).toBe(true);
        expect(await repos.users.findById(user.id)).toBeUndefined();
        expect(await repos.tokens.findByJti(token.jti)).toBeUndefined();
        expect(await repos.authorizationCodes.findByCode(code.code)).toBeUndefined();
        expect(await repos.users.delete(user.id)).toBe(false);
      });

      it('lists with text search, filters, sort, pagination and a total', async () => {
        const tag = unique('zq');
        const made = [];
        for (const [i, flags] of [{ isAdmin: true }, {}, { isActive: false }, { givenName: `${tag}Given` }].entries()) {
          made.push(await repos.users.create(makeUser({ username: `${tag}_${i}`, email: `${tag}_${i}@example.com`, ...flags })));
        }
        const everyone = await repos.users.list({ search: tag.toUpperCase(), limit: 10, offset: 0, sortBy: 'username', sortOrder: 'asc' });
        expect(everyone.total).toBe(4);
        expect(everyone.users.map((u) => u.username)).toEqual(made.map((u) => u.username));
        const page = await repos.users.list({ search: tag, limit: 2, offset: 2, sortBy: 'username', sortOrder: 'desc' });
        expect(page.total).toBe(4);
        expect(page.users.map((u) => u.username)).toEqual([made[1]!.username, made[0]!.username]);
        expect((await repos.users.list({ search: tag, isAdmin: true, limit: 10, offset: 0 })).users.map((u) => u.id)).toEqual([made[0]!.id]);
        expect((await repos.users.list({ search: tag, isActive: false, limit: 10, offset: 0 })).total).toBe(1);
        expect((await repos.users.list({ search: `${tag}given`, limit: 10, offset: 0 })).users[0]?.id).toBe(made[3]!.id);
        const future = new Date(Date.now() + 24 * HOUR);
        expect((await repos.users.list({ search: tag, createdAfter: future, limit: 10, offset: 0 })).total).toBe(0);
        expect((await repos.users.list({ search: tag, createdBefore: future, limit: 10, offset: 0 })).total).toBe(4);
      });

      it('filters by single-column substrings and exact locale and zoneinfo', async () => {
        const tag = unique('col');
        const a = await repos.users.create(makeUser({ username: `${tag}_ann`, email: `${tag}_x@example.com`, givenName: 'Ann', locale: 'nb-NO', zoneinfo: 'Europe/Oslo' }));
        const b = await repos.users.create(makeUser({ username: `${tag}_bob`, email: `${tag}_ann@example.com`, familyName: 'Annsen', locale: 'en' }));
        const ids = async (q: Omit<UserListQuery, 'limit' | 'offset'>) => (await repos.users.list({ ...q, search: tag, limit: 10, offset: 0, sortBy: 'username', sortOrder: 'asc' })).users.map((u) => u.id);
        expect(await ids({ contains: { username: 'ANN' } })).toEqual([a.id]);
        expect(await ids({ contains: { email: '_ann@' } })).toEqual([b.id]);
        expect(await ids({ contains: { familyName: 'annsen' } })).toEqual([b.id]);
        expect(await ids({ contains: { givenName: 'an', username: 'bob' } })).toEqual([]);
        expect(await ids({ locale: 'nb-NO' })).toEqual([a.id]);
        expect(await ids({ zoneinfo: 'Europe/Oslo', locale: 'en' })).toEqual([]);
        const page = await repos.users.list({ search: tag, contains: { username: tag }, limit: 1, offset: 1, sortBy: 'username', sortOrder: 'asc' });
        expect(page).toMatchObject({ total: 2, users: [{ id: b.id }] });
      });

      it('matches search text literally, not as a LIKE pattern', async () => {
        const tag = unique('pct');
        await repos.users.create(makeUser({ username: `${tag}_a%b` }));
        await repos.users.create(makeUser({ username: `${tag}_axb` }));
        const result = await repos.users.list({ search: `${tag}_a%b`, limit: 10, offset: 0 });
        expect(result.users.map((u) => u.username)).toEqual([`${tag}_a%b`]);
      });

      it('sorts users without a last login after those with one', async () => {
        const tag = unique('ll');
        const never = await repos.users.create(makeUser({ username: `${tag}_never` }));
        const early = await repos.users.create(makeUser({ username: `${tag}_early`, lastLogin: new Date('2026-01-01T00:00:00Z') }));
        const late = await repos.users.create(makeUser({ username: `${tag}_late`, lastLogin: new Date('2026-06-01T00:00:00Z') }));
        const asc = await repos.users.list({ search: tag, sortBy: 'last_login', sortOrder: 'asc', limit: 10, offset: 0 });
        expect(asc.users.map((u) => u.id)).toEqual([early.id, late.id, never.id]);
        const desc = await repos.users.list({ search: tag, sortBy: 'last_login', sortOrder: 'desc', limit: 10, offset: 0 });
        expect(desc.users.map((u) => u.id)).toEqual([late.id, early.id, never.id]);
      });

      it('counts users and active sessions per user', async () => {
        const before = await repos.users.counts();
        const active = await repos.users.create(makeUser());
        const inactive = await repos.users.create(makeUser({ isActive: false }));
        const after = await repos.users.counts();
        expect(after.total - before.total).toBe(2);
        expect(after.active - before.active).toBe(1);

        const now = new Date();
        await repos.tokens.save(makeToken(active.id, now));
        await repos.tokens.save(makeToken(active.id, now));
        await repos.tokens.save(makeToken(active.id, now, { tokenType: 'refresh' }));
        await repos.tokens.save(makeToken(active.id, now, { expiresAt: new Date(now.getTime() - 1000) }));
        const revoked = await repos.tokens.save(makeToken(active.id, now));
        await repos.tokens.invalidate(revoked.jti, now);
        const counts = await repos.users.activeSessionCounts([active.id, inactive.id], now);
        expect(counts.get(active.id)).toBe(2);
        expect(counts.get(inactive.id)).toBe(0);
        expect((await repos.users.activeSessionCounts([], now)).size).toBe(0);
      });
    });

    describe('clients', () => {
      it('creates a client with schema defaults, arrays and localized JSON, and reads it back both ways', async () => {
        const created = await repos.clients.create(
          makeClient({
            redirectUris: ['https://a.example/cb', 'http://127.0.0.1:8080/cb?x=1,2', 'com.example.app:/oauth'],
            contacts: ['ops@example.com', 'Ærlig "quoted" {brace}'],
            clientNameLocalized: { fr: 'Mon appli', ja: '私のアプリ' },
            scope: 'openid profile',
          }),
          ['openid', 'profile', 'no-such-scope'],
        );
        expect(created).toMatchObject({
          grantTypes: ['authorization_code', 'refresh_token'],
          responseTypes: ['code'],
          requestUris: [],
          isActive: true,
          requirePkce: true,
          tokenEndpointAuthMethod: 'client_secret_basic',
          idTokenSignedResponseAlg: 'RS256',
          subjectType: 'public',
          applicationType: 'web',
          requireAuthTime: false,
        });
        expect(await repos.clients.findById(created.id)).toEqual(created);
        const byClientId = await repos.clients.findByClientId(created.clientId);
        expect(byClientId).toEqual(created);
        expect(byClientId?.redirectUris).toEqual(['https://a.example/cb', 'http://127.0.0.1:8080/cb?x=1,2', 'com.example.app:/oauth']);
        expect(byClientId?.contacts).toEqual(['ops@example.com', 'Ærlig "quoted" {brace}']);
        expect(byClientId?.clientNameLocalized).toEqual({ fr: 'Mon appli', ja: '私のアプリ' });
        expect(await repos.clients.findScopes(created.id)).toEqual(['openid', 'profile']);
      });

      it('round-trips empty arrays and a public client without a secret', async () => {
        const created = await repos.clients.create(makeClient({ clientType: 'public', clientSecretHash: null, tokenEndpointAuthMethod: 'none', redirectUris: [], contacts: [] }));
        const found = await repos.clients.findByClientId(created.clientId);
        expect(found).toMatchObject({ clientType: 'public', clientSecretHash: null, redirectUris: [], contacts: [], tokenEndpointAuthMethod: 'none' });
      });

      it('hides a deactivated client from client_id lookups but not from the admin', async () => {
        const created = await repos.clients.create(makeClient());
        const updated = await repos.clients.update(created.id, { isActive: false, clientName: 'Renamed', redirectUris: ['https://b.example/cb'] });
        expect(updated).toMatchObject({ isActive: false, clientName: 'Renamed', redirectUris: ['https://b.example/cb'] });
        expect(await repos.clients.findByClientId(created.clientId)).toBeUndefined();
        expect((await repos.clients.findById(created.id))?.isActive).toBe(false);
        const activeList = await repos.clients.list({ limit: 1000, offset: 0 });
        expect(activeList.some((c) => c.id === created.id)).toBe(false);
        const fullList = await repos.clients.list({ includeInactive: true, limit: 1000, offset: 0 });
        expect(fullList.some((c) => c.id === created.id)).toBe(true);
        expect(await repos.clients.update('00000000-0000-4000-8000-000000000000', { clientName: 'x' })).toBeUndefined();
      });

      it('raises a typed Conflict for a duplicate client_id', async () => {
        const created = await repos.clients.create(makeClient());
        await expect(repos.clients.create(makeClient({ clientId: created.clientId }))).rejects.toBeInstanceOf(ConflictError);
      });

      it('replaces a secret hash only while it still holds the expected value, and reads see it at once', async () => {
        const created = await repos.clients.create(makeClient({ clientSecretHash: '$2b$04$imported.bcrypt.hash.value' }));
        // Warm any cache in front, by both keys.
        await repos.clients.findByClientId(created.clientId);
        await repos.clients.findById(created.id);
        expect(await repos.clients.replaceSecretHash(created.id, 'something else', 'hmac-sha256$x')).toBe(false);
        expect(await repos.clients.replaceSecretHash(created.id, '$2b$04$imported.bcrypt.hash.value', 'hmac-sha256$new')).toBe(true);
        expect((await repos.clients.findByClientId(created.clientId))?.clientSecretHash).toBe('hmac-sha256$new');
        expect((await repos.clients.findById(created.id))?.clientSecretHash).toBe('hmac-sha256$new');
        // A second upgrade from the old value (a concurrent request) must not overwrite the new one.
        expect(await repos.clients.replaceSecretHash(created.id, '$2b$04$imported.bcrypt.hash.value', 'hmac-sha256$stale')).toBe(false);
        expect((await repos.clients.findById(created.id))?.clientSecretHash).toBe('hmac-sha256$new');
      });

      it('counts, replaces scope assignments and deletes with cascade', async () => {
        const before = await repos.clients.counts();
        const client = await repos.clients.create(makeClient(), ['read']);
        await repos.clients.create(makeClient({ isActive: false }));
        const after = await repos.clients.counts();
        expect(after.total - before.total).toBe(2);
        expect(after.active - before.active).toBe(1);
        await repos.clients.setScopes(client.id, ['write', 'email', 'write']);
        expect(await repos.clients.findScopes(client.id)).toEqual(['email', 'write']);
        const user = await repos.users.create(makeUser());
        const code = await repos.authorizationCodes.save(makeCode(client.id, user.id, new Date()));
        expect(await repos.clients.delete(client.id)).toBe(true);
        expect(await repos.clients.findById(client.id)).toBeUndefined();
        expect(await repos.clients.findScopes(client.id)).toEqual([]);
        expect(await repos.authorizationCodes.findByCode(code.code)).toBeUndefined();
        expect(await repos.clients.delete(client.id)).toBe(false);
      });
    });

    describe('scopes', () => {
      it("has Authly's seed scopes with profile as the only default", async () => {
        const names = (await repos.scopes.list({ limit: 100, offset: 0 })).map((s) => s.scopeName);
        expect(names).toEqual(expect.arrayContaining(['address', 'admin', 'email', 'openid', 'phone', 'profile', 'read', 'write']));
        expect((await repos.scopes.findDefaults()).map((s) => s.scopeName)).toContain('profile');
        expect((await repos.scopes.findByName('openid'))?.description).toBe('OpenID Connect authentication scope');
      });

      it('creates, finds, updates, deactivates, counts and deletes a scope', async () => {
        const name = unique('scope:');
        const countBefore = await repos.scopes.count();
        const created = await repos.scopes.create({ scopeName: name, description: 'Ünïcode scope', isDefault: true });
        expect(await repos.scopes.findById(created.id)).toEqual(created);
        expect(await repos.scopes.findByName(name)).toEqual(created);
        expect((await repos.scopes.findDefaults()).map((s) => s.scopeName)).toContain(name);
        expect(await repos.scopes.count()).toBe(countBefore + 1);
        await expect(repos.scopes.create({ scopeName: name })).rejects.toBeInstanceOf(ConflictError);

        const updated = await repos.scopes.update(created.id, { isActive: false, description: null });
        expect(updated).toMatchObject({ isActive: false, description: null });
        expect(await repos.scopes.findActiveByNames([name, 'openid'])).toEqual([expect.objectContaining({ scopeName: 'openid' })]);
        expect((await repos.scopes.findDefaults()).map((s) => s.scopeName)).not.toContain(name);
        expect((await repos.scopes.list({ limit: 1000, offset: 0 })).map((s) => s.scopeName)).not.toContain(name);
        expect((await repos.scopes.list({ includeInactive: true, limit: 1000, offset: 0 })).map((s) => s.scopeName)).toContain(name);
        expect(await repos.scopes.count(true)).toBe((await repos.scopes.count()) + (await repos.scopes.list({ includeInactive: true, limit: 1000, offset: 0 })).filter((s) => !s.isActive).length);
        expect(await repos.scopes.findActiveByNames([])).toEqual([]);
        expect(await repos.scopes.delete(created.id)).toBe(true);
        expect(await repos.scopes.findByName(name)).toBeUndefined();
        expect(await repos.scopes.update(created.id, { description: 'x' })).toBeUndefined();
      });
    });

    describe('tokens', () => {
      it('saves a token and finds it by jti', async () => {
        const user = await repos.users.create(makeUser());
        const client = await repos.clients.create(makeClient());
        const saved = await repos.tokens.save(makeToken(user.id, new Date(), { clientId: client.id, createdByIp: '::1', userAgent: 'contract' }));
        expect(saved).toMatchObject({ userId: user.id, clientId: client.id, invalidated: false, invalidatedAt: null, tokenType: 'access' });
        expect(await repos.tokens.findByJti(saved.jti)).toEqual(saved);
        expect(await repos.tokens.findByJti(unique('none_'))).toBeUndefined();
        await expect(repos.tokens.save(makeToken(user.id, new Date(), { jti: saved.jti }))).rejects.toBeInstanceOf(ConflictError);
      });

      it('invalidates a token once: only the first call reports the flip', async () => {
        const user = await repos.users.create(makeUser());
        const token = await repos.tokens.save(makeToken(user.id, new Date(), { tokenType: 'refresh' }));
        const at = new Date('2026-03-04T05:06:07.089Z');
        const results = await Promise.all(Array.from({ length: 10 }, () => repos.tokens.invalidate(token.jti, at)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await repos.tokens.findByJti(token.jti)).toMatchObject({ invalidated: true, invalidatedAt: at });
        expect(await repos.tokens.invalidate(unique('none_'), at)).toBe(false);
      });

      it('invalidates by user (optionally by type) and by client', async () => {
        const now = new Date();
        const user = await repos.users.create(makeUser());
        const other = await repos.users.create(makeUser());
        const client = await repos.clients.create(makeClient());
        await repos.tokens.save(makeToken(user.id, now));
        const refresh = await repos.tokens.save(makeToken(user.id, now, { tokenType: 'refresh' }));
        const others = await repos.tokens.save(makeToken(other.id, now, { clientId: client.id }));
        expect(await repos.tokens.invalidateByUser(user.id, now, 'access')).toBe(1);
        expect((await repos.tokens.findByJti(refresh.jti))?.invalidated).toBe(false);
        expect(await repos.tokens.invalidateByUser(user.id, now)).toBe(1);
        expect(await repos.tokens.invalidateByUser(user.id, now)).toBe(0);
        expect((await repos.tokens.findByJti(others.jti))?.invalidated).toBe(false);
        expect(await repos.tokens.invalidateByClient(client.id, now)).toBe(1);
        expect((await repos.tokens.findByJti(others.jti))?.invalidated).toBe(true);
      });

      it("invalidates a user's tokens at one client only", async () => {
        const now = new Date();
        const [user, other] = [await repos.users.create(makeUser()), await repos.users.create(makeUser())];
        const [rp, elsewhere] = [await repos.clients.create(makeClient()), await repos.clients.create(makeClient())];
        const mine = [await repos.tokens.save(makeToken(user.id, now, { clientId: rp.id })), await repos.tokens.save(makeToken(user.id, now, { clientId: rp.id, tokenType: 'refresh' }))];
        const kept = [
          await repos.tokens.save(makeToken(user.id, now, { clientId: elsewhere.id })),
          await repos.tokens.save(makeToken(user.id, now)),
          await repos.tokens.save(makeToken(other.id, now, { clientId: rp.id })),
        ];
        expect(await repos.tokens.invalidateByUserAndClient(user.id, rp.id, now)).toBe(2);
        for (const t of mine) expect((await repos.tokens.findByJti(t.jti))?.invalidated).toBe(true);
        for (const t of kept) expect((await repos.tokens.findByJti(t.jti))?.invalidated).toBe(false);
        expect(await repos.tokens.invalidateByUserAndClient(user.id, rp.id, now)).toBe(0);
      });

      it('invalidates a whole grant at once and records tokens without a user', async () => {
        const now = new Date();
        const user = await repos.users.create(makeUser());
        const client = await repos.clients.create(makeClient());
        const grantId = '11111111-2222-4333-8444-' + unique('').padStart(12, '0').slice(-12);
        const a = await repos.tokens.save(makeToken(user.id, now, { grantId }));
        const b = await repos.tokens.save(makeToken(user.id, now, { grantId, tokenType: 'refresh' }));
        const other = await repos.tokens.save(makeToken(user.id, now));
        const machine = await repos.tokens.save({ ...makeToken(user.id, now), userId: null, clientId: client.id, grantId });
        expect(machine).toMatchObject({ userId: null, clientId: client.id, grantId });
        expect(await repos.tokens.invalidateByGrant(grantId, now)).toBe(3);
        for (const t of [a, b, machine]) expect((await repos.tokens.findByJti(t.jti))?.invalidated).toBe(true);
        expect((await repos.tokens.findByJti(other.jti))?.invalidated).toBe(false);
        expect(await repos.tokens.invalidateByGrant(grantId, now)).toBe(0);
      });

      describe('token family revocation (RFC 9700 §4.14.2)', () => {
        it('marks a family for good: its tokens are invalidated and later additions are refused and invalidated', async () => {
          const now = new Date();
          const user = await repos.users.create(makeUser());
          const family = randomUUID();
          const neighbour = randomUUID();
          expect(await repos.tokens.addToFamily(family, [makeToken(user.id, now), makeToken(user.id, now, { tokenType: 'refresh' })], now)).toBe(true);
          const other = makeToken(user.id, now);
          expect(await repos.tokens.addToFamily(neighbour, [other], now)).toBe(true);
          expect(await repos.tokens.isFamilyRevoked(family)).toBe(false);

          expect(await repos.tokens.revokeFamily(family, now)).toBe(2);
          expect(await repos.tokens.isFamilyRevoked(family)).toBe(true);
          // Idempotent: a second revocation finds nothing left to invalidate and does not fail.
          expect(await repos.tokens.revokeFamily(family, now)).toBe(0);

          const late = makeToken(user.id, now, { tokenType: 'refresh' });
          expect(await repos.tokens.addToFamily(family, [late], now)).toBe(false);
          expect(await repos.tokens.findByJti(late.jti)).toMatchObject({ grantId: family, invalidated: true });
          expect(await repos.tokens.findByJti(other.jti)).toMatchObject({ grantId: neighbour, invalidated: false });
          expect(await repos.tokens.isFamilyRevoked(neighbour)).toBe(false);
        });

        it('leaves no valid token when revocation and addition race (30 rounds)', async () => {
          const now = new Date();
          const user = await repos.users.create(makeUser());
          for (let round = 0; round < 30; round++) {
            const family = randomUUID();
            const tokens = [makeToken(user.id, now), makeToken(user.id, now, { tokenType: 'refresh' })];
            const [added] = await Promise.all([repos.tokens.addToFamily(family, tokens, now), repos.tokens.revokeFamily(family, now)]);
            expect(typeof added).toBe('boolean');
            for (const t of tokens) expect((await repos.tokens.findByJti(t.jti))?.invalidated).toBe(true);
          }
        });

        it('records the first tokens of a new family as valid members of it, revocable with it', async () => {
          const now = new Date();
          const user = await repos.users.create(makeUser());
          const family = randomUUID();
          const tokens = [makeToken(user.id, now), makeToken(user.id, now, { tokenType: 'refresh' })];
          await repos.tokens.addNewFamily(family, tokens);
          for (const t of tokens) expect(await repos.tokens.findByJti(t.jti)).toMatchObject({ grantId: family, invalidated: false });
          expect(await repos.tokens.revokeFamily(family, now)).toBe(2);
          const saved = tokens[0]!;
          await expect(repos.tokens.addNewFamily(randomUUID(), [makeToken(user.id, now, { jti: saved.jti })])).rejects.toBeInstanceOf(ConflictError);
        });

        it('raises a typed Conflict for a duplicate jti in a family', async () => {
          const now = new Date();
          const user = await repos.users.create(makeUser());
          const saved = await repos.tokens.save(makeToken(user.id, now));
          await expect(repos.tokens.addToFamily(randomUUID(), [makeToken(user.id, now, { jti: saved.jti })], now)).rejects.toBeInstanceOf(ConflictError);
        });

        it('prunes a marker only when its family has no token left and it is over an hour old', async () => {
          const now = new Date();
          const user = await repos.users.create(makeUser());
          const [empty, kept, recent] = [randomUUID(), randomUUID(), randomUUID()];
          const old = new Date(now.getTime() - 2 * HOUR);
          const expired = makeToken(user.id, old, { expiresAt: new Date(now.getTime() - HOUR) });
          await repos.tokens.addToFamily(empty, [expired], old);
          await repos.tokens.addToFamily(kept, [makeToken(user.id, now)], old);
          await repos.tokens.revokeFamily(empty, old);
          await repos.tokens.revokeFamily(kept, old);
          await repos.tokens.revokeFamily(recent, now);
          await repos.tokens.deleteExpired(now);
          expect(await repos.tokens.findByJti(expired.jti)).toBeUndefined();
          expect(await repos.tokens.isFamilyRevoked(empty)).toBe(false);
          expect(await repos.tokens.isFamilyRevoked(kept)).toBe(true);
          expect(await repos.tokens.isFamilyRevoked(recent)).toBe(true);
        });
      });

      it("lists a user's sessions newest first, all or only active", async () => {
        const now = new Date();
        const user = await repos.users.create(makeUser());
        const old = await repos.tokens.save(makeToken(user.id, now, { expiresAt: new Date(now.getTime() - HOUR) }));
        await new Promise((r) => setTimeout(r, 5));
        const current = await repos.tokens.save(makeToken(user.id, now));
        await repos.tokens.save(makeToken(user.id, now, { tokenType: 'refresh' }));
        const all = await repos.tokens.listSessions(user.id, { now, limit: 10, offset: 0 });
        expect(all.map((t) => t.jti)).toEqual([current.jti, old.jti]);
        const active = await repos.tokens.listSessions(user.id, { now, activeOnly: true, limit: 10, offset: 0 });
        expect(active.map((t) => t.jti)).toEqual([current.jti]);
        expect(await repos.tokens.listSessions(user.id, { now, limit: 1, offset: 1 })).toHaveLength(1);
        expect(await repos.tokens.listSessions(user.id, { now, includeRefresh: true, limit: 10, offset: 0 })).toHaveLength(3);
        expect(await repos.tokens.countSessions(user.id, { now })).toBe(2);
        expect(await repos.tokens.countSessions(user.id, { now, activeOnly: true })).toBe(1);
        expect(await repos.tokens.countSessions(user.id, { now, includeRefresh: true, activeOnly: true })).toBe(2);
        expect(await repos.tokens.findById(current.id)).toEqual(current);
        expect(await repos.tokens.findById('00000000-0000-4000-8000-000000000000')).toBeUndefined();
      });

      it('deletes expired tokens only', async () => {
        const now = new Date();
        const user = await repos.users.create(makeUser());
        const expired = await repos.tokens.save(makeToken(user.id, now, { expiresAt: new Date(now.getTime() - 1) }));
        const live = await repos.tokens.save(makeToken(user.id, now));
        expect(await repos.tokens.deleteExpired(now)).toBeGreaterThanOrEqual(1);
        expect(await repos.tokens.findByJti(expired.jti)).toBeUndefined();
        expect(await repos.tokens.findByJti(live.jti)).toBeDefined();
      });
    });

    describe('authorization codes', () => {
      it('saves a code and consumes it exactly once', async () => {
        const now = new Date();
        const user = await repos.users.create(makeUser());
        const client = await repos.clients.create(makeClient());
        const authTime = new Date(now.getTime() - 60_000);
        const saved = await repos.authorizationCodes.save(makeCode(client.id, user.id, now, { maxAge: 300, prompt: 'login', display: 'page', uiLocales: 'nb en', authTime }));
        expect(saved).toMatchObject({ isUsed: false, usedAt: null, codeChallengeMethod: 'S256', maxAge: 300, prompt: 'login', authTime });
        expect(await repos.authorizationCodes.findByCode(saved.code)).toEqual(saved);
        const consumed = await repos.authorizationCodes.consume(saved.code, now);
        expect(consumed).toMatchObject({ id: saved.id, isUsed: true, usedAt: now, nonce: saved.nonce });
        expect(await repos.authorizationCodes.consume(saved.code, now)).toBeUndefined();
        expect((await repos.authorizationCodes.findByCode(saved.code))?.isUsed).toBe(true);
        expect(await repos.authorizationCodes.consume(digest('unknown'), now)).toBeUndefined();
        await expect(repos.authorizationCodes.save(makeCode(client.id, user.id, now, { code: saved.code }))).rejects.toBeInstanceOf(ConflictError);
      });

      it("drops a user's unused codes, keeping used ones and other users' codes", async () => {
        const now = new Date();
        const [user, other] = [await repos.users.create(makeUser()), await repos.users.create(makeUser())];
        const client = await repos.clients.create(makeClient());
        const unused = await repos.authorizationCodes.save(makeCode(client.id, user.id, now));
        const used = await repos.authorizationCodes.save(makeCode(client.id, user.id, now));
        await repos.authorizationCodes.consume(used.code, now);
        const others = await repos.authorizationCodes.save(makeCode(client.id, other.id, now));
        expect(await repos.authorizationCodes.deleteUnusedByUser(user.id)).toBe(1);
        expect(await repos.authorizationCodes.findByCode(unused.code)).toBeUndefined();
        expect((await repos.authorizationCodes.findByCode(used.code))?.isUsed).toBe(true);
        expect(await repos.authorizationCodes.findByCode(others.code)).toBeDefined();
      });

      it('does not consume an expired code', async () => {
        const now = new Date();
        const user = await repos.users.create(makeUser());
        const client = await repos.clients.create(makeClient());
        const saved = await repos.authorizationCodes.save(makeCode(client.id, user.id, now, { expiresAt: new Date(now.getTime() - 1) }));
        expect(await repos.authorizationCodes.consume(saved.code, now)).toBeUndefined();
        expect(await repos.authorizationCodes.deleteExpired(now)).toBeGreaterThanOrEqual(1);
        expect(await repos.authorizationCodes.findByCode(saved.code)).toBeUndefined();
      });

      it('yields exactly one winner for 50 concurrent consumes of one code', async () => {
        const now = new Date();
        const user = await repos.users.create(makeUser());
        const client = await repos.clients.create(makeClient());
        const saved = await repos.authorizationCodes.save(makeCode(client.id, user.id, now));
        const results = await Promise.all(Array.from({ length: 50 }, () => repos.authorizationCodes.consume(saved.code, now)));
        expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      });
    });

    describe('signing keys', () => {
      it('adds keys, lists active ones newest first, retires and expires them', async () => {
        const jwk = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', use: 'sig', alg: 'ES256' };
        const older = await repos.signingKeys.add({ kid: unique('kid-'), keyData: { ...jwk }, keyType: 'EC', algorithm: 'ES256', curve: 'P-256', privateKeyData: 'enc:v1:abc' });
        await new Promise((r) => setTimeout(r, 5));
        const newer = await repos.signingKeys.add({ kid: unique('kid-'), keyData: { ...jwk, kid: 'x' }, keyType: 'RSA', algorithm: 'RS256', keySize: 2048 });
        expect(await repos.signingKeys.findByKid(older.kid)).toEqual(older);
        expect(older).toMatchObject({ keyUse: 'sig', isActive: true, expiresAt: null, privateKeyData: 'enc:v1:abc', keyData: jwk });
        const active = (await repos.signingKeys.listActive()).map((k) => k.kid);
        expect(active.indexOf(newer.kid)).toBeLessThan(active.indexOf(older.kid));
        await expect(repos.signingKeys.add({ kid: older.kid, keyData: jwk, keyType: 'EC', algorithm: 'ES256' })).rejects.toBeInstanceOf(ConflictError);

        const now = new Date();
        const until = new Date(now.getTime() + HOUR);
        expect(await repos.signingKeys.retire(older.kid, until)).toBe(true);
        expect(await repos.signingKeys.retire(unique('none-'), until)).toBe(false);
        expect((await repos.signingKeys.listActive()).map((k) => k.kid)).not.toContain(older.kid);
        expect((await repos.signingKeys.list()).find((k) => k.kid === older.kid)).toMatchObject({ isActive: false, expiresAt: until });
        expect(await repos.signingKeys.deleteExpired(now)).toBe(0);
        expect(await repos.signingKeys.deleteExpired(new Date(until.getTime() + 1))).toBeGreaterThanOrEqual(1);
        expect(await repos.signingKeys.findByKid(older.kid)).toBeUndefined();
        expect(await repos.signingKeys.findByKid(newer.kid)).toBeDefined();
      });
    });
  });
}
