import { sql } from 'kysely';
import { USER_SORT_FIELDS, type NewUser, type User, type UserCounts, type UserListQuery, type UserPage, type UserPatch } from '../../domain/user.js';
import type { UserRepository } from '../../repositories/user-repository.js';
import { likePattern, toCount, totalAndActive, translated, type RepositoryContext } from './context.js';
import { decodeRow, encodeRow, type FieldMap } from './row-mapper.js';

const USER_FIELDS: FieldMap<User> = {
  id: ['id', 'plain'],
  username: ['username', 'plain'],
  email: ['email', 'plain'],
  passwordHash: ['password_hash', 'plain'],
  createdAt: ['created_at', 'time'],
  updatedAt: ['updated_at', 'time'],
  lastLogin: ['last_login', 'time'],
  isActive: ['is_active', 'bool'],
  isVerified: ['is_verified', 'bool'],
  isAdmin: ['is_admin', 'bool'],
  requiresPasswordChange: ['requires_password_change', 'bool'],
  givenName: ['given_name', 'plain'],
  familyName: ['family_name', 'plain'],
  middleName: ['middle_name', 'plain'],
  nickname: ['nickname', 'plain'],
  preferredUsername: ['preferred_username', 'plain'],
  profile: ['profile', 'plain'],
  picture: ['picture', 'plain'],
  website: ['website', 'plain'],
  gender: ['gender', 'plain'],
  birthdate: ['birthdate', 'plain'],
  zoneinfo: ['zoneinfo', 'plain'],
  locale: ['locale', 'plain'],
  phoneNumber: ['phone_number', 'plain'],
  phoneNumberVerified: ['phone_number_verified', 'bool'],
  address: ['address', 'json'],
};

/** Schema defaults (spec §7.1) for what `NewUser` leaves out. */
const USER_DEFAULTS = { isActive: true, isVerified: false, isAdmin: false, requiresPasswordChange: false } as const;

/** `UserRepository` over Kysely, for SQLite and PostgreSQL alike. */
export class KyselyUserRepository implements UserRepository {
  readonly #ctx: RepositoryContext;

  constructor(ctx: RepositoryContext) {
    this.#ctx = ctx;
  }

  #decode = (row: Record<string, unknown>): User => {
    const user = decodeRow(USER_FIELDS, this.#ctx.codec, row);
    // Nullable booleans in Authly's schema read back as their defaults.
    user.isActive ??= true;
    user.isVerified ??= false;
    user.isAdmin ??= false;
    user.requiresPasswordChange ??= false;
    return user;
  };

  async create(input: NewUser): Promise<User> {
    const { codec, clock, ids, db } = this.#ctx;
    const now = clock.now();
    const row = encodeRow(USER_FIELDS, codec, { ...USER_DEFAULTS, id: ids.uuid(), createdAt: now, updatedAt: now, ...input });
    const inserted = await translated(this.#ctx, () =>
      db.insertInto('users').values(row as never).returningAll().executeTakeFirstOrThrow(),
    );
    return this.#decode(inserted);
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.#ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.#decode(row);
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const row = await this.#ctx.db
      .selectFrom('users')
      .selectAll()
      .where(sql`lower(username)`, '=', sql`lower(${username})`)
      .executeTakeFirst();
    return row && this.#decode(row);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.#ctx.db
      .selectFrom('users')
      .selectAll()
      .where(sql`lower(email)`, '=', sql`lower(${email})`)
      .executeTakeFirst();
    return row && this.#decode(row);
  }

  async update(id: string, patch: UserPatch): Promise<User | undefined> {
    const { codec, clock, db } = this.#ctx;
    const row = encodeRow(USER_FIELDS, codec, { ...patch, updatedAt: clock.now() });
    const updated = await translated(this.#ctx, () =>
      db.updateTable('users').set(row as never).where('id', '=', id).returningAll().executeTakeFirst(),
    );
    return updated && this.#decode(updated);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.#ctx.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async list(query: UserListQuery): Promise<UserPage> {
    const sortBy = query.sortBy ?? 'created_at';
    // The column name reaches SQL as an identifier: only the listed ones may.
    if (!USER_SORT_FIELDS.includes(sortBy)) throw new TypeError(`cannot sort users by ${String(sortBy)}`);
    const filtered = this.#filtered(query);
    const [rows, total] = await Promise.all([
      filtered
        .selectAll()
        // Engines disagree on where NULLs sort; put them last on both, then break ties by id.
        .orderBy(sql`(${sql.ref(sortBy)} IS NULL)`)
        .orderBy(sql.ref(sortBy), query.sortOrder ?? 'desc')
        .orderBy('id')
        .limit(query.limit)
        .offset(query.offset)
        .execute(),
      filtered.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { users: rows.map(this.#decode), total: toCount(total.n) };
  }

  #filtered(q: UserListQuery) {
    const { db, codec } = this.#ctx;
    let query = db.selectFrom('users');
    if (q.search) {
      const pattern = likePattern(q.search);
      query = query.where((eb) =>
        eb.or(
          ['username', 'email', 'given_name', 'family_name'].map((column) =>
            eb(sql`lower(${sql.ref(column)})`, 'like', sql`${pattern} ESCAPE '\\'`),
          ),
        ),
      );
    }
    const columns = { username: 'username', email: 'email', givenName: 'given_name', familyName: 'family_name' } as const;
    for (const [field, text] of Object.entries(q.contains ?? {})) {
      const column = columns[field as keyof typeof columns];
      if (text === undefined || column === undefined) continue;
      query = query.where(sql`lower(${sql.ref(column)})`, 'like', sql`${likePattern(text)} ESCAPE '\\'`);
    }
    if (q.locale !== undefined) query = query.where('locale', '=', q.locale);
    if (q.zoneinfo !== undefined) query = query.where('zoneinfo', '=', q.zoneinfo);
    const flags = [
      ['is_active', q.isActive],
      ['is_admin', q.isAdmin],
      ['is_verified', q.isVerified],
      ['requires_password_change', q.requiresPasswordChange],
    ] as const;
    for (const [column, wanted] of flags) {
      if (wanted !== undefined) query = query.where(column, '=', codec.bool(wanted));
    }
    const ranges = [
      ['created_at', '>=', q.createdAfter],
      ['created_at', '<=', q.createdBefore],
      ['last_login', '>=', q.lastLoginAfter],
      ['last_login', '<=', q.lastLoginBefore],
    ] as const;
    for (const [column, op, at] of ranges) {
      if (at) query = query.where(column, op, codec.time(at));
    }
    return query;
  }

  counts(): Promise<UserCounts> {
    return totalAndActive(this.#ctx, 'users');
  }


  async activeSessionCounts(userIds: readonly string[], now: Date): Promise<Map<string, number>> {
    const counts = new Map<string, number>(userIds.map((id) => [id, 0]));
    if (userIds.length === 0) return counts;
    const { db, codec } = this.#ctx;
    const rows = await db
      .selectFrom('tokens')
      .select((eb) => ['user_id', eb.fn.countAll().as('n')])
      .where('user_id', 'in', [...userIds])
      .where('token_type', '=', 'access')
      .where('invalidated', '=', codec.bool(false))
      .where('expires_at', '>', codec.time(now))
      .groupBy('user_id')
      .execute();
    for (const row of rows) if (row.user_id) counts.set(row.user_id, toCount(row.n));
    return counts;
  }
}
