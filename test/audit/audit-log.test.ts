import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log.js';
import type { RecordedAuditEvent } from '../../src/audit/events.js';
import type { AuditEventRepository } from '../../src/repositories/audit-event-repository.js';
import { captureLog } from './capture-log.js';

/*
 * The audit log's line and row for events whose details are flat (the common case, which the
 * log uses without copying): secrets and NUL are still replaced, and each event is one line.
 */
function auditWithRows() {
  const rows: RecordedAuditEvent[] = [];
  const repository: AuditEventRepository = {
    insertMany: async (events) => void rows.push(...events),
    list: async () => [],
    count: async () => 0,
    deleteOlderThan: async () => 0,
  };
  const log = captureLog();
  const now = new Date('2025-06-01T12:00:00.000Z');
  const audit = createAuditLog({ logger: log.logger, clock: { now: () => now }, ids: { uuid: () => '11111111-1111-4111-8111-111111111111' }, repository });
  return { audit, log, rows };
}

describe('audit log', () => {
  it('writes a token.issued event as one line with its details as given', async () => {
    const { audit, log, rows } = auditWithRows();
    audit.record({ event: 'token.issued', clientId: 'cli', details: { grant: 'client_credentials', algorithm: 'ES256', refresh: false, scope: 'read', grant_id: undefined } });
    await audit.close();
    expect(log.records()).toEqual([
      expect.objectContaining({ level: 30, msg: 'audit: token.issued', audit: true, event: 'token.issued', user_id: null, client_id: 'cli', actor_id: null, details: { grant: 'client_credentials', algorithm: 'ES256', refresh: false, scope: 'read' } }),
    ]);
    expect(rows.map((row) => JSON.parse(JSON.stringify(row.details)) as unknown)).toEqual([{ grant: 'client_credentials', algorithm: 'ES256', refresh: false, scope: 'read' }]);
  });

  it('replaces secrets and drops NUL in flat details, on the line and in the row', async () => {
    const { audit, log, rows } = auditWithRows();
    audit.record({ event: 'login.failed', details: { method: 'password_grant', username: 'bob', password: 'hunter2', reason: 'wrong_password' } });
    audit.record({ event: 'login.failed', details: { method: 'password_grant', username: 'b\u0000ob', reason: 'unknown_user' } });
    audit.record({ event: 'account.locked', details: { username: 'bob', password_changed: true, duration_seconds: 60 } });
    await audit.close();
    const logged = log.audit().map((line) => line.details);
    const expected = [
      { method: 'password_grant', username: 'bob', password: '[Redacted]', reason: 'wrong_password' },
      { method: 'password_grant', username: 'bob', reason: 'unknown_user' },
      { username: 'bob', password_changed: true, duration_seconds: 60 },
    ];
    expect(logged).toEqual(expected);
    expect(rows.map((row) => row.details)).toEqual(expected);
    expect(log.lines.join('')).not.toContain('hunter2');
    expect(log.records()[2]).toMatchObject({ level: 40 });
  });
});
