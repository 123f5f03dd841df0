/**
 * A small durable storage adapter for node-oidc-provider over better-sqlite3, so the peer can be
 * measured recording every token on disk as our server does. It implements the adapter interface
 * node-oidc-provider documents (upsert, find, findByUid, findByUserCode, consume, destroy,
 * revokeByGrantId) with one table keyed by (model, id), the same WAL journal and `synchronous =
 * NORMAL` as our server's defaults, and prepared statements reused for every call.
 */
import Database from 'better-sqlite3';
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Row {
  payload: string;
  consumed_at: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS oidc_models (
  model       TEXT    NOT NULL,
  id          TEXT    NOT NULL,
  payload     TEXT    NOT NULL,
  grant_id    TEXT,
  user_code   TEXT,
  uid         TEXT,
  expires_at  INTEGER,
  consumed_at INTEGER,
  PRIMARY KEY (model, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS oidc_models_grant ON oidc_models (model, grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS oidc_models_uid ON oidc_models (model, uid) WHERE uid IS NOT NULL;
CREATE INDEX IF NOT EXISTS oidc_models_user_code ON oidc_models (model, user_code) WHERE user_code IS NOT NULL;
`;

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Opens (creating) the database at `path` and returns the adapter class node-oidc-provider instantiates per model. */
export function sqliteAdapter(path: string): new (model: string) => Adapter {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);

  const upsert = db.prepare(
    `INSERT INTO oidc_models (model, id, payload, grant_id, user_code, uid, expires_at, consumed_at)
     VALUES (@model, @id, @payload, @grantId, @userCode, @uid, @expiresAt, NULL)
     ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
       user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`,
  );
  const live = '(expires_at IS NULL OR expires_at > @now)';
  const findById = db.prepare(`SELECT payload, consumed_at FROM oidc_models WHERE model = @model AND id = @id AND ${live}`);
  const findByUid = db.prepare(`SELECT payload, consumed_at FROM oidc_models WHERE model = @model AND uid = @key AND ${live}`);
  const findByUserCode = db.prepare(`SELECT payload, consumed_at FROM oidc_models WHERE model = @model AND user_code = @key AND ${live}`);
  const consume = db.prepare('UPDATE oidc_models SET consumed_at = @now WHERE model = @model AND id = @id');
  const destroy = db.prepare('DELETE FROM oidc_models WHERE model = @model AND id = @id');
  const revokeByGrant = db.prepare('DELETE FROM oidc_models WHERE model = @model AND grant_id = @grantId');

  function decode(row: Row | undefined): AdapterPayload | undefined {
    if (!row) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    // node-oidc-provider treats any truthy `consumed` as "already used" (codes, rotated refresh tokens).
    return row.consumed_at === null ? payload : { ...payload, consumed: row.consumed_at };
  }

  return class SqliteAdapter implements Adapter {
    private readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      upsert.run({
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grantId: payload.grantId ?? null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expiresAt: typeof expiresIn === 'number' ? nowSeconds() + expiresIn : null,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return decode(findById.get({ model: this.model, id, now: nowSeconds() }) as Row | undefined);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return decode(findByUid.get({ model: this.model, key: uid, now: nowSeconds() }) as Row | undefined);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return decode(findByUserCode.get({ model: this.model, key: userCode, now: nowSeconds() }) as Row | undefined);
    }

    async consume(id: string): Promise<void> {
      consume.run({ model: this.model, id, now: nowSeconds() });
    }

    async destroy(id: string): Promise<void> {
      destroy.run({ model: this.model, id });
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      revokeByGrant.run({ model: this.model, grantId });
    }
  };
}
