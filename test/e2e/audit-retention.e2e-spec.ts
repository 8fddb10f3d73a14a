import { OutboxRelay } from '../../src/infrastructure/outbox/outbox-relay';
import { AuditClock } from '../../src/modules/audit/audit-clock';
import { AuditVerifier } from '../../src/modules/audit/audit-verifier';
import { VerifyReportDto } from '../../src/modules/audit/dto/verify-report.dto';
import { AuditPartitions } from '../../src/modules/audit/audit-partitions';
import { AuditService } from '../../src/modules/audit/audit.service';
import { AuditRetention } from '../../src/modules/audit/jobs/audit-retention';
import { startTestApp, TestApp } from '../support/app';

describe('audit retention', () => {
  let t: TestApp;
  let now: jest.SpyInstance<Date, []>;
  beforeAll(async () => {
    t = await startTestApp({ AUDIT_RETENTION_DAYS: '365' });
    now = jest.spyOn(t.app.get(AuditClock), 'now');
    await t.app.get(AuditPartitions).ensure(new Date('2024-01-01T00:00:00Z'), 2);
  });
  afterAll(() => t.close());

  const recordAt = async (at: string, count: number) => {
    now.mockReturnValue(new Date(at));
    const audit = t.app.get(AuditService);
    await Promise.all(
      Array.from({ length: count }, (_, i) => audit.recordDetached({ action: 'test.old', details: { i, at } })),
    );
  };
  const partitions = async () =>
    (
      await t.db.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'audit_events'::regclass AND c.relname LIKE 'audit_events_2024%' ORDER BY 1`,
      )
    ).map((p) => p.name);
  /** Audit search documents of the test's events, counted by month of occurrence. */
  const indexedAuditMonths = async () => {
    const rows = await t.db.query<{ month: string; n: number }>(
      `SELECT CASE WHEN occurred_at >= '2025-01-01' THEN 'recent' ELSE to_char(occurred_at, 'YYYY-MM') END AS month,
              count(*)::int AS n
       FROM search_documents WHERE index_name = 'audit' AND keywords->>'action' IN ('test.old', 'test.recent')
       GROUP BY 1`,
    );
    return Object.fromEntries(rows.map((row) => [row.month, row.n]));
  };
  // Straight to the verifier: logging in over HTTP would append present-day events to the chains.
  const verify = async () => VerifyReportDto.from(await t.app.get(AuditVerifier).verify());

  it('has partitions for this month and the next three from boot', async () => {
    const names = (
      await t.db.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'audit_events'::regclass`,
      )
    ).map((p) => p.name);
    const today = new Date();
    for (let i = 0; i <= 3; i++) {
      const month = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + i, 1));
      expect(names).toContain(
        `audit_events_${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`,
      );
    }
  });

  it('drops whole expired months after a retention checkpoint, and what remains still verifies', async () => {
    await recordAt('2024-01-10T00:00:00Z', 40);
    await recordAt('2024-02-10T00:00:00Z', 40);
    now.mockRestore();
    await t.app.get(AuditService).recordDetached({ action: 'test.recent' });
    expect(await verify()).toMatchObject({ ok: true, eventsChecked: 81 });

    await t.app.get(OutboxRelay).drain();
    expect(await indexedAuditMonths()).toEqual({ '2024-01': 40, '2024-02': 40, recent: 1 });

    now = jest.spyOn(t.app.get(AuditClock), 'now').mockReturnValue(new Date('2025-02-15T00:00:00Z'));
    const dropped = await t.app.get(AuditRetention).run();
    expect(await indexedAuditMonths()).toEqual({ '2024-02': 40, recent: 1 });

    expect(dropped.map((p) => p.name)).toEqual(['audit_events_2024_01']);
    expect(await partitions()).toEqual(['audit_events_2024_02', 'audit_events_2024_03']);
    const [checkpoint] = await t.db.query<{ heads: unknown[] }>(
      `SELECT heads FROM audit_checkpoints WHERE kind = 'retention'`,
    );
    expect(checkpoint.heads.length).toBeGreaterThan(0);
    expect(await verify()).toMatchObject({ ok: true, eventsChecked: 41 });
  });

  it('keeps verifying after a second drop, anchored on the newest retention checkpoint', async () => {
    now.mockReturnValue(new Date('2025-03-15T00:00:00Z'));
    expect((await t.app.get(AuditRetention).run()).map((p) => p.name)).toEqual(['audit_events_2024_02']);
    expect(await verify()).toMatchObject({ ok: true, eventsChecked: 1 });
  });

  it('still detects a deleted row at the retained start of a chain', async () => {
    const [first] = await t.db.query<{ shard: number; seq: string }>(
      `SELECT shard, seq FROM audit_events ORDER BY occurred_at LIMIT 1`,
    );
    await t.db.query(
      `SET session_replication_role = replica; DELETE FROM audit_events WHERE shard = ${first.shard} AND seq = ${first.seq}`,
    );
    expect((await verify()).firstBroken).toMatchObject({ shard: first.shard, reason: 'truncated' });
  });

  it('drops nothing when no month has expired', async () => {
    now.mockReturnValue(new Date('2025-03-20T00:00:00Z'));
    expect(await t.app.get(AuditRetention).run()).toEqual([]);
  });
});
