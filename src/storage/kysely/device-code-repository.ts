import type { DeviceCode, DeviceDecision, NewDeviceCode } from '../../domain/device-code.js';
import type { DeviceCodeRepository } from '../../repositories/device-code-repository.js';
import { translated, type RepositoryContext } from './context.js';
import { decodeRow, encodeRow, type FieldMap } from './row-mapper.js';

const DEVICE_FIELDS: FieldMap<DeviceCode> = {
  id: ['id', 'plain'],
  deviceCode: ['device_code', 'plain'],
  userCode: ['user_code', 'plain'],
  clientId: ['client_id', 'plain'],
  scope: ['scope', 'plain'],
  status: ['status', 'plain'],
  userId: ['user_id', 'plain'],
  authTime: ['auth_time', 'time'],
  sid: ['sid', 'plain'],
  intervalSeconds: ['interval_seconds', 'plain'],
  nextPollAt: ['next_poll_at', 'time'],
  expiresAt: ['expires_at', 'time'],
  createdAt: ['created_at', 'time'],
};

/** `DeviceCodeRepository` over Kysely: every state change is one conditional UPDATE. */
export class KyselyDeviceCodeRepository implements DeviceCodeRepository {
  readonly #ctx: RepositoryContext;

  constructor(ctx: RepositoryContext) {
    this.#ctx = ctx;
  }

  #decode = (row: Record<string, unknown>): DeviceCode => {
    const code = decodeRow(DEVICE_FIELDS, this.#ctx.codec, row);
    code.intervalSeconds = Number(code.intervalSeconds);
    return code;
  };

  async save(input: NewDeviceCode): Promise<DeviceCode> {
    const { codec, clock, ids, db } = this.#ctx;
    const row = encodeRow(DEVICE_FIELDS, codec, {
      id: ids.uuid(),
      createdAt: clock.now(),
      status: 'pending',
      userId: null,
      authTime: null,
      sid: null,
      nextPollAt: null,
      ...input,
    });
    const inserted = await translated(this.#ctx, () => db.insertInto('authly_device_codes').values(row as never).returningAll().executeTakeFirstOrThrow());
    return this.#decode(inserted);
  }

  async findByDeviceCode(deviceCodeHash: string): Promise<DeviceCode | undefined> {
    const row = await this.#ctx.db.selectFrom('authly_device_codes').selectAll().where('device_code', '=', deviceCodeHash).executeTakeFirst();
    return row && this.#decode(row);
  }

  async findPendingByUserCode(userCodeHash: string, now: Date): Promise<DeviceCode | undefined> {
    const row = await this.#ctx.db
      .selectFrom('authly_device_codes')
      .selectAll()
      .where('user_code', '=', userCodeHash)
      .where('status', '=', 'pending')
      .where('expires_at', '>', this.#ctx.codec.time(now))
      .executeTakeFirst();
    return row && this.#decode(row);
  }

  async decide(id: string, decision: DeviceDecision, now: Date): Promise<boolean> {
    const { db, codec } = this.#ctx;
    const values = decision.approved
      ? { status: 'approved', user_id: decision.userId, auth_time: codec.time(decision.authTime), sid: decision.sid }
      : { status: 'denied' };
    const result = await db
      .updateTable('authly_device_codes')
      .set(values)
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('expires_at', '>', codec.time(now))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async takePollSlot(id: string, now: Date, slowDownSeconds: number): Promise<boolean> {
    const { db, codec } = this.#ctx;
    const row = await db.selectFrom('authly_device_codes').select(['interval_seconds']).where('id', '=', id).executeTakeFirst();
    if (!row) return false;
    const interval = Number(row.interval_seconds);
    // Compare-and-set on the stored slot, so two instances answering one device agree.
    const taken = await db
      .updateTable('authly_device_codes')
      .set({ next_poll_at: codec.time(new Date(now.getTime() + interval * 1000)) })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('next_poll_at', 'is', null), eb('next_poll_at', '<=', codec.time(now))]))
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 1) return true;
    const slower = interval + slowDownSeconds;
    await db
      .updateTable('authly_device_codes')
      .set({ interval_seconds: slower, next_poll_at: codec.time(new Date(now.getTime() + slower * 1000)) })
      .where('id', '=', id)
      .execute();
    return false;
  }

  async consume(id: string): Promise<DeviceCode | undefined> {
    const row = await this.#ctx.db
      .updateTable('authly_device_codes')
      .set({ status: 'consumed' })
      .where('id', '=', id)
      .where('status', '=', 'approved')
      .returningAll()
      .executeTakeFirst();
    return row && this.#decode(row);
  }

  async deleteExpired(now: Date, limit?: number): Promise<number> {
    const { db, codec } = this.#ctx;
    const table = 'authly_device_codes';
    const expired = codec.time(now);
    const query =
      limit === undefined
        ? db.deleteFrom(table).where('expires_at', '<', expired)
        : db.deleteFrom(table).where('id', 'in', db.selectFrom(table).select('id').where('expires_at', '<', expired).limit(limit));
    return Number((await query.executeTakeFirst()).numDeletedRows);
  }
}
