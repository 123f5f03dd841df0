import { sql } from 'kysely';
import {
  USER_SORT_FIELDS,
  type CredentialLookup,
  type NewUser,
  type User,
  type UserCounts,
  type UserCredentials,
  type UserListQuery,
  type UserPage,
  type UserPatch,
} from '../../domain/user.js';
import type { UserRepository, UserUpdateOptions } from '../../repositories/user-repository.js';
import { likePattern, toCount, totalAndActive, translated, type RepositoryContext } from './context.js';
import type { UsersTable } from './database.js';
import { decodeRow, encodeRow, type FieldMap } from './row-mapper.js';

const USER_FIELDS: FieldMap<User> = {
  id: ['id', 'plain'],
  username: ['username', 'plain'],
  email: ['email', 'plain'],
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
  sessionEpoch: ['session_epoch', 'plain'],
};

/** What a write may set: the user's fields and the password hash (never read back with them). */
const WRITE_FIELDS: FieldMap<Omit<User, 'sessionEpoch'> & { passwordHash: string }> = (() => {
  const { sessionEpoch: _epoch, ...fields } = USER_FIELDS;
  return { ...fields, passwordHash: ['password_hash', 'plain'] } as const;
})();

/** Every column a `User` is read from: `password_hash` is left out, so it never leaves by accident. */
const USER_COLUMNS = Object.values(USER_FIELDS).map(([column]) => column) as (keyof UsersTable)[];

/** Schema defaults for what `NewUser` leaves out. */
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
    // pg returns INTEGER as a number, better-sqlite3 too; the column is NOT NULL DEFAULT 0.
    user.sessionEpoch = Number(user.sessionEpoch ?? 0);
    return user;
  };

  async create(input: NewUser): Promise<User> {
    const { codec, clock, ids, db } = this.#ctx;
    const now = clock.now();
    const row = encodeRow(WRITE_FIELDS, codec, { ...USER_DEFAULTS, id: ids.uuid(), createdAt: now, updatedAt: now, ...input });
    const inserted = await translated(this.#ctx, () =>
      db.insertInto('users').values(row as never).returning(USER_COLUMNS).executeTakeFirstOrThrow(),
    );
    return this.#decode(inserted);
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.#ctx.db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row && this.#decode(row);
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const row = await this.#ctx.db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .where(sql`lower(username)`, '=', sql`lower(${username})`)
      .executeTakeFirst();
    return row && this.#decode(row);
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.#ctx.db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .where(sql`lower(email)`, '=', sql`lower(${email})`)
      .executeTakeFirst();
    return row && this.#decode(row);
  }

  async findCredentials(lookup: CredentialLookup): Promise<UserCredentials | undefined> {
    let query = this.#ctx.db.selectFrom('users').select([...USER_COLUMNS, 'password_hash']);
    query = 'id' in lookup ? query.where('id', '=', lookup.id) : query.where(sql`lower(username)`, '=', sql`lower(${lookup.username})`);
    const row = await query.executeTakeFirst();
    return row && { user: this.#decode(row), passwordHash: row.password_hash };
  }

  async findByDisplayNames(names: readonly string[], exceptId: string, limit: number): Promise<User[]> {
    if (names.length === 0) return [];
    const wanted = names.map((name) => sql`lower(${name})`);
    const rows = await this.#ctx.db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .where('id', '!=', exceptId)
      .where((eb) => eb.or([eb(sql`lower(username)`, 'in', wanted), eb(sql`lower(preferred_username)`, 'in', wanted)]))
      .limit(limit)
      .execute();
    return rows.map(this.#decode);
  }

  async update(id: string, patch: UserPatch, options: UserUpdateOptions = {}): Promise<User | undefined> {
    const { codec, clock, db } = this.#ctx;
    const row: Record<string, unknown> = encodeRow(WRITE_FIELDS, codec, { ...patch, updatedAt: clock.now() });
    // One statement: the epoch rises with the change that ends the sessions, never apart from it.
    if (options.endSessions) row.session_epoch = sql`session_epoch + 1`;
    const updated = await translated(this.#ctx, () =>
      db.updateTable('users').set(row as never).where('id', '=', id).returning(USER_COLUMNS).executeTakeFirst(),
    );
    return updated && this.#decode(updated);
  }

  /** One statement without `RETURNING`: every login writes it, and no caller reads the row back. */
  async recordLogin(id: string, at: Date): Promise<void> {
    const { codec, clock, db } = this.#ctx;
    await db.updateTable('users').set({ last_login: codec.time(at), updated_at: codec.time(clock.now()) }).where('id', '=', id).execute();
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
        .select(USER_COLUMNS)
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
