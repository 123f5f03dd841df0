import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneExpired } from '../../src/app/pruner.js';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { BufferedAuditWriter } from '../../src/audit/buffered-writer.js';
import type { RecordedAuditEvent } from '../../src/audit/events.js';
import { StorageUnavailableError } from '../../src/repositories/errors.js';
import type { AuditEventRepository } from '../../src/repositories/audit-event-repository.js';
import type { Storage } from '../../src/storage/storage.js';
import { openMigratedStorage, type MigratedStorage } from '../helpers/migrated-storage.js';
import { hasPostgres } from '../helpers/services.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function event(id: number, at: Date, extra: Partial<RecordedAuditEvent> = {}): RecordedAuditEvent {
  return { id: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`, event: 'login.failed', occurredAt: at, userId: null, clientId: null, actorId: null, requestId: null, details: {}, ...extra };
}

/** A repository that answers like a database that is away until `up` is set. */
function flakyRepository(): AuditEventRepository & { rows: RecordedAuditEvent[]; up: boolean; broken: boolean } {
  const repo = {
    rows: [] as RecordedAuditEvent[],
    up: false,
    broken: false,
    async insertMany(events: readonly RecordedAuditEvent[]) {
      if (repo.broken) throw new Error('value too long for type character varying(255)');
      if (!repo.up) throw new StorageUnavailableError('PostgreSQL unavailable: connect ECONNREFUSED');
      repo.rows.push(...events);
    },
    list: async () => [],
    count: async () => 0,
    deleteOlderThan: async () => 0,
  };
  return repo;
}

describe('the buffered database writer', () => {
  it('keeps events while the database is away and writes them, in order, once it answers', async () => {
    const repo = flakyRepository();
    const writer = new BufferedAuditWriter({ repository: repo, logger: silent, flushIntervalMs: 60_000 });
    for (let i = 0; i < 5; i += 1) writer.add(event(i, new Date()));
    await writer.flush();
    expect(repo.rows).toHaveLength(0);
    repo.up = true;
    writer.add(event(5, new Date()));
    // close() writes what is left: a graceful shutdown loses nothing.
    await writer.close();
    expect(repo.rows.map((e) => e.id.slice(-1))).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('drops a batch the database refuses for good instead of retrying it forever', async () => {
    const repo = flakyRepository();
    repo.broken = true;
    const writer = new BufferedAuditWriter({ repository: repo, logger: silent, flushIntervalMs: 60_000 });
    writer.add(event(1, new Date()));
    await writer.flush();
    repo.broken = false;
    repo.up = true;
    writer.add(event(2, new Date()));
    await writer.close();
    expect(repo.rows.map((e) => e.id.slice(-1))).toEqual(['2']);
  });

  it('bounds what it holds while the database is away', async () => {
    const repo = flakyRepository();
    const writer = new BufferedAuditWriter({ repository: repo, logger: silent, flushIntervalMs: 60_000, maxBuffered: 3, batchSize: 10 });
    for (let i = 0; i < 10; i += 1) writer.add(event(i, new Date()));
    repo.up = true;
    await writer.close();
    expect(repo.rows).toHaveLength(3);
  });
});

for (const backend of ['sqlite', 'postgresql'] as const) {
  describe.skipIf(backend === 'postgresql' && !hasPostgres)(`audit_events on ${backend}`, () => {
    let storage: Storage;
    let opened: MigratedStorage | undefined;

    beforeAll(async () => {
      opened = await openMigratedStorage(backend, 'authly_audit', 2);
      storage = opened.storage;
    });
    afterAll(async () => {
      await opened?.dispose();
    });

    it('stores events through the audit log, strips secrets and NUL, and bounds ids to their columns', async () => {
      const now = new Date('2025-06-01T12:00:00.000Z');
      const audit = createAuditLog({ logger: silent, clock: { now: () => now }, ids: { uuid: () => '11111111-1111-4111-8111-111111111111' }, repository: storage.auditEvents });
      audit.record({ event: 'login.failed', clientId: `c${'x'.repeat(400)}`, details: { username: 'bob\u0000', password: 'hunter2', nested: { client_secret: 's3cr3t' } } });
      await audit.close();
      const [stored] = await storage.auditEvents.list({ limit: 10, offset: 0 });
      expect(stored).toMatchObject({ event: 'login.failed', occurredAt: now, details: { username: 'bob', password: '[Redacted]', nested: { client_secret: '[Redacted]' } } });
      expect(stored!.clientId).toHaveLength(255);
    });

    it('deletes events past the retention in batches, and nothing newer', async () => {
      const now = new Date('2025-06-10T00:00:00.000Z');
      const day = 86_400_000;
      await storage.auditEvents.insertMany([2, 3, 4, 5, 6].map((i) => event(100 + i, new Date(now.getTime() - i * day))));
      const before = await storage.auditEvents.count({});
      const report = await pruneExpired(storage.repositories, now, { batchSize: 2, audit: { repository: storage.auditEvents, retentionDays: 4 } });
      // Older than 4 days: the events 5 and 6 days old, and the one stored in the previous test (9 days).
      expect(report.auditEvents).toBe(3);
      expect(await storage.auditEvents.count({})).toBe(before - 3);
      expect((await pruneExpired(storage.repositories, now, { audit: { repository: storage.auditEvents, retentionDays: 0 } })).auditEvents).toBeUndefined();
    });
  });
}

describe('the README', () => {
  it('documents every audit event', async () => {
    const { readFileSync } = await import('node:fs');
    const { AUDIT_EVENTS } = await import('../../src/audit/events.js');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Audit events'), readme.indexOf('### Checking a SQLite database'));
    for (const name of AUDIT_EVENTS) expect(section, name).toContain(`\`${name}\``);
  });
});
