import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditClock } from '../../src/modules/audit/audit-clock';
import { AuditPartitions } from '../../src/modules/audit/audit-partitions';
import { AuditVerifier } from '../../src/modules/audit/audit-verifier';
import { AuditService } from '../../src/modules/audit/audit.service';
import { AuditCheckpoints, Checkpoint } from '../../src/modules/audit/checkpoints/audit-checkpoints';
import { startTestApp, TestApp } from '../support/app';

const INTERVAL_MS = 3_600_000;
const SLACK_MS = 60_000;

/**
 * What a database superuser can and cannot hide. `superuser(sql)` runs with
 * session_replication_role = replica, which turns off every trigger and event trigger: detection
 * must then come from verify (the chain of checkpoints and the anchor file outside the database).
 */
describe('audit evidence against a database superuser', () => {
  let t: TestApp;
  let dir: string;
  let anchorFile: string;
  /** The partition holding this test's events (this month's). */
  let partition: string;
  /** The checkpoint written after the first 40 events, and the one after all 60. */
  let first: Checkpoint;
  let second: Checkpoint;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ck-audit-anchor-'));
    anchorFile = join(dir, 'anchor.jsonl');
    t = await startTestApp({
      AUDIT_ANCHOR_FILE: anchorFile,
      // Checkpoints only when a test writes them.
      AUDIT_CHECKPOINT_INTERVAL_MS: String(INTERVAL_MS),
      AUDIT_CHECKPOINT_SLACK_MS: String(SLACK_MS),
      AUDIT_CHECKPOINT_EVERY_EVENTS: '1000000',
    });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => jest.restoreAllMocks());

  const superuser = (sql: string) => t.db.query(`SET session_replication_role = replica; ${sql}`);
  const record = async (count: number) => {
    const audit = t.app.get(AuditService);
    for (let i = 0; i < count; i++) await audit.recordDetached({ action: 'test.event', details: { i } });
  };
  const verify = () => t.app.get(AuditVerifier).verify();
  const later = (ms: number) => jest.spyOn(t.app.get(AuditClock), 'now').mockReturnValue(new Date(Date.now() + ms));

  beforeEach(async () => {
    await superuser(`TRUNCATE audit_events, audit_checkpoints;
      UPDATE audit_chain_heads SET seq = 0, hash = repeat('0', 64), last_at = to_timestamp(0)`);
    writeFileSync(anchorFile, '');
    await t.app.get(AuditPartitions).ensure(new Date(), 0);
    await record(40);
    first = await t.app.get(AuditCheckpoints).writePeriodic();
    await record(20);
    second = await t.app.get(AuditCheckpoints).writePeriodic();
    [{ partition }] = await t.db.query<{ partition: string }>(
      'SELECT DISTINCT tableoid::regclass::text AS partition FROM audit_events',
    );
  });

  it('verifies the untouched trail, its two checkpoints and both anchored copies', async () => {
    expect(await verify()).toEqual({
      ok: true,
      eventsChecked: 60,
      checkpointsChecked: 2,
      anchor: { sink: 'file', compared: 2 },
    });
  });

  it('writes every checkpoint to the anchor file, one JSON line each, as the database holds it', async () => {
    const lines = readFileSync(anchorFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({ seq: 1, signature: first.signature, prevSignature: '0'.repeat(64) }),
      expect.objectContaining({ seq: 2, signature: second.signature, prevSignature: first.signature }),
    ]);
    expect(lines[1].heads).toEqual(second.heads);
  });

  describe('without replica mode', () => {
    it('refuses TRUNCATE of a month partition, even by its owner', async () => {
      await expect(t.db.query(`TRUNCATE ${partition}`)).rejects.toThrow(/append-only/);
    });

    it('guards partitions created later, by the partition job or by hand', async () => {
      await t.app.get(AuditPartitions).ensure(new Date('2031-01-15T00:00:00Z'), 0);
      await expect(t.db.query('TRUNCATE audit_events_2031_01')).rejects.toThrow(/append-only/);
      await t.db.query(`CREATE TABLE audit_events_2032_01 PARTITION OF audit_events
        FOR VALUES FROM ('2032-01-01T00:00:00Z') TO ('2032-02-01T00:00:00Z')`);
      await expect(t.db.query('TRUNCATE audit_events_2032_01')).rejects.toThrow(/append-only/);
    });

    it('refuses DETACH, DROP, RENAME and disabling triggers of a partition and of the checkpoints', async () => {
      for (const sql of [
        `ALTER TABLE audit_events DETACH PARTITION ${partition}`,
        `DROP TABLE ${partition}`,
        `ALTER TABLE ${partition} RENAME TO hidden`,
        `ALTER TABLE ${partition} DISABLE TRIGGER ALL`,
        `DROP TRIGGER audit_partition_no_truncate ON ${partition}`,
        'ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only',
        'DROP TABLE audit_checkpoints',
        'ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_append_only',
        `ALTER TABLE audit_checkpoints ALTER COLUMN heads TYPE jsonb USING '[]'`,
        'DROP TRIGGER audit_checkpoints_append_only ON audit_checkpoints',
      ]) {
        await expect(t.db.query(sql)).rejects.toThrow(/audit trail: .* is refused/);
      }
      expect(await verify()).toMatchObject({ ok: true, eventsChecked: 60 });
    });

    it('lets a partition be dropped only after a retention checkpoint, so a forged one gives the drop away', async () => {
      await t.app.get(AuditCheckpoints).writePeriodic();
      await expect(t.db.query(`DROP TABLE ${partition}`)).rejects.toThrow(/audit trail: dropping .* is refused/);
      await t.db.query(`INSERT INTO audit_checkpoints (seq, prev_signature, kind, created_at, heads, signature)
        SELECT max(seq) + 1, max(signature), 'retention', now(), '[]', repeat('f', 64) FROM audit_checkpoints;
        DROP TABLE ${partition}`);
      expect((await verify()).firstBroken).toMatchObject({ shard: -1, seq: 4, reason: 'checkpoint_forged' });
    });
  });

  describe('with triggers off (session_replication_role = replica)', () => {
    it('detects a truncated partition', async () => {
      await superuser(`TRUNCATE ${partition}`);
      expect((await verify()).firstBroken).toMatchObject({ reason: 'truncated' });
    });

    it('detects a detached partition, and one detached then dropped', async () => {
      await superuser(`ALTER TABLE audit_events DETACH PARTITION ${partition}`);
      expect((await verify()).firstBroken).toMatchObject({ reason: 'truncated' });
      await superuser(`DROP TABLE ${partition}`);
      expect((await verify()).firstBroken).toMatchObject({ reason: 'truncated' });
    });

    it('detects a truncated partition whose heads were rewound to genesis and checkpoints deleted', async () => {
      await superuser(`TRUNCATE ${partition}; DELETE FROM audit_checkpoints;
        UPDATE audit_chain_heads SET seq = 0, hash = repeat('0', 64)`);
      expect((await verify()).firstBroken).toMatchObject({ shard: -1, seq: 1, reason: 'checkpoint_rewound' });
    });

    it('detects the newest checkpoint deleted', async () => {
      await superuser('DELETE FROM audit_checkpoints WHERE seq = 2');
      expect(await verify()).toMatchObject({
        ok: false,
        firstBroken: { shard: -1, seq: 2, reason: 'checkpoint_rewound' },
      });
    });

    it('detects every checkpoint deleted', async () => {
      await superuser('DELETE FROM audit_checkpoints');
      expect((await verify()).firstBroken).toMatchObject({ shard: -1, seq: 1, reason: 'checkpoint_rewound' });
    });

    it('detects a checkpoint deleted from the middle of the chain', async () => {
      await t.app.get(AuditCheckpoints).writePeriodic();
      await superuser('DELETE FROM audit_checkpoints WHERE seq = 2');
      expect((await verify()).firstBroken).toMatchObject({ shard: -1, seq: 2, reason: 'checkpoint_missing' });
    });

    it('detects checkpoints deleted and written anew, through the anchored signatures', async () => {
      await superuser('DELETE FROM audit_checkpoints');
      await t.app.get(AuditCheckpoints).writePeriodic();
      await t.app.get(AuditCheckpoints).writePeriodic();
      writeFileSync(anchorFile, readFileSync(anchorFile, 'utf8').split('\n').slice(0, 2).join('\n'));
      expect((await verify()).firstBroken).toMatchObject({ shard: -1, seq: 1, reason: 'anchor_mismatch' });
    });

    it('detects tail events deleted, heads rewound and the checkpoint after them deleted', async () => {
      await rewindToFirstCheckpoint();
      expect((await verify()).firstBroken).toMatchObject({ shard: -1, seq: 2, reason: 'checkpoint_rewound' });
    });

    it('detects the same rewind without a readable anchor, once the newest checkpoint is stale', async () => {
      await rewindToFirstCheckpoint();
      writeFileSync(anchorFile, '');
      expect(await verify()).toMatchObject({ ok: true, eventsChecked: 40 });
      later(INTERVAL_MS + SLACK_MS + 1_000);
      expect((await verify()).firstBroken).toMatchObject({ shard: -1, seq: 1, reason: 'checkpoint_stale' });
    });

    it('detects every checkpoint deleted without a readable anchor, once the trail is older than a checkpoint interval', async () => {
      await superuser('DELETE FROM audit_checkpoints');
      writeFileSync(anchorFile, '');
      expect((await verify()).ok).toBe(true);
      later(INTERVAL_MS + SLACK_MS + 1_000);
      expect((await verify()).firstBroken).toMatchObject({ shard: -1, seq: 0, reason: 'checkpoint_stale' });
    });

    /** The tamper of the drill: events after the first checkpoint deleted, heads put back there, and the second checkpoint deleted. */
    async function rewindToFirstCheckpoint(): Promise<void> {
      const heads = JSON.stringify(first.heads);
      await superuser(`
        DELETE FROM audit_events e USING jsonb_to_recordset('${heads}') AS h(shard int, seq bigint, hash text)
          WHERE e.shard = h.shard AND e.seq > h.seq;
        DELETE FROM audit_events WHERE shard NOT IN (SELECT (h->>'shard')::int FROM jsonb_array_elements('${heads}') h);
        UPDATE audit_chain_heads SET seq = 0, hash = repeat('0', 64);
        UPDATE audit_chain_heads c SET seq = h.seq, hash = h.hash
          FROM jsonb_to_recordset('${heads}') AS h(shard int, seq bigint, hash text) WHERE c.shard = h.shard;
        DELETE FROM audit_checkpoints WHERE seq = 2`);
    }
  });

  it('fails verification when the newest checkpoint is older than its interval plus the slack', async () => {
    later(INTERVAL_MS + SLACK_MS - 5_000);
    expect((await verify()).ok).toBe(true);
    later(INTERVAL_MS + SLACK_MS + 5_000);
    expect(await verify()).toMatchObject({ ok: false, firstBroken: { shard: -1, seq: 2, reason: 'checkpoint_stale' } });
  });

  it('warns, without failing, when the DETACH/DROP guard is missing (migrated by a role that is not superuser)', async () => {
    await t.db.query('DROP EVENT TRIGGER audit_guard_drop');
    try {
      expect(await verify()).toMatchObject({ ok: true, warnings: ['ddl_guard_missing'] });
    } finally {
      await t.db.query('CREATE EVENT TRIGGER audit_guard_drop ON sql_drop EXECUTE FUNCTION audit_guard_drop()');
    }
    expect((await verify()).warnings).toBeUndefined();
  });
});
