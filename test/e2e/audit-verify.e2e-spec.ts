import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditService } from '../../src/modules/audit/audit.service';
import { AuditCheckpoints } from '../../src/modules/audit/checkpoints/audit-checkpoints';
import { startTestApp, TestApp } from '../support/app';

describe('audit chain verification', () => {
  let t: TestApp;
  let shard: number;
  const dir = mkdtempSync(join(tmpdir(), 'ck-audit-verify-'));
  const anchorFile = join(dir, 'anchor.jsonl');
  beforeAll(async () => {
    // Each test starts without checkpoints, so the anchor file is emptied with them.
    t = await startTestApp({ AUDIT_ANCHOR_FILE: anchorFile, AUDIT_CHECKPOINT_INTERVAL_MS: '3600000' });
    // Log the auditor in now: the login is itself audited, and each test starts from an empty trail.
    await t.as('auditor');
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs SQL as the superuser with triggers off, the way an attacker with database access would. */
  const tamper = (sql: string) => t.db.query(`SET session_replication_role = replica; ${sql}`);

  beforeEach(async () => {
    await tamper(`TRUNCATE audit_events, audit_checkpoints;
      UPDATE audit_chain_heads SET seq = 0, hash = repeat('0', 64), last_at = to_timestamp(0)`);
    writeFileSync(anchorFile, '');
    const audit = t.app.get(AuditService);
    for (let i = 0; i < 60; i++) await audit.recordDetached({ action: 'test.event', details: { i } });
    const [busiest] = await t.db.query<{ shard: number }>(
      'SELECT shard FROM audit_events GROUP BY shard ORDER BY count(*) DESC, shard LIMIT 1',
    );
    shard = busiest.shard;
  });

  const verify = async (query = '') => (await (await t.as('auditor')).get(`/audit/verify${query}`).expect(200)).body;

  it('reports an untouched trail as intact and counts every event', async () => {
    expect(await verify()).toEqual({
      ok: true,
      eventsChecked: 60,
      checkpointsChecked: 0,
      anchor: { sink: 'file', compared: 0 },
    });
  });

  it('reports a deleted checkpoint over HTTP', async () => {
    await t.app.get(AuditCheckpoints).writePeriodic();
    await tamper('DELETE FROM audit_checkpoints');
    expect(await verify()).toMatchObject({
      ok: false,
      checkpointsChecked: 0,
      anchor: { sink: 'file', compared: 1 },
      firstBroken: { shard: -1, seq: 1, reason: 'checkpoint_rewound' },
    });
  });

  it('detects an edited row', async () => {
    await tamper(`UPDATE audit_events SET actor_id = 'someone-else' WHERE shard = ${shard} AND seq = 2`);
    expect((await verify()).firstBroken).toMatchObject({ shard, seq: 2, reason: 'hash_mismatch' });
  });

  it('detects a deleted row', async () => {
    await tamper(`DELETE FROM audit_events WHERE shard = ${shard} AND seq = 2`);
    expect((await verify()).firstBroken).toMatchObject({ shard, seq: 2, reason: 'missing_event' });
  });

  it('detects an inserted row', async () => {
    await tamper(`INSERT INTO audit_events
      SELECT occurred_at + interval '1 millisecond', shard, seq, gen_random_uuid(), 'intruder', action, resource_type, resource_id, outcome,
             severity, request_id, ip, user_agent, details, prev_hash, hash
      FROM audit_events WHERE shard = ${shard} AND seq = 2`);
    expect((await verify()).firstBroken).toMatchObject({ shard, seq: 2, reason: 'unexpected_event' });
  });

  it('detects a row inserted outside every chain', async () => {
    await tamper(`INSERT INTO audit_events
      SELECT occurred_at, 99, 1, gen_random_uuid(), 'intruder', action, resource_type, resource_id, outcome,
             severity, request_id, ip, user_agent, details, prev_hash, hash
      FROM audit_events WHERE shard = ${shard} AND seq = 2`);
    expect((await verify()).firstBroken).toMatchObject({ shard: 99, seq: 1, reason: 'unexpected_event' });
  });

  it('detects a reordered pair', async () => {
    await tamper(`UPDATE audit_events SET seq = CASE seq WHEN 2 THEN 3 ELSE 2 END
      WHERE shard = ${shard} AND seq IN (2, 3)`);
    expect((await verify()).firstBroken).toMatchObject({ shard, seq: 2, reason: 'prev_hash_mismatch' });
  });

  it('detects a truncated tail against the chain head', async () => {
    await tamper(`DELETE FROM audit_events WHERE shard = ${shard}
      AND seq > (SELECT seq - 2 FROM audit_chain_heads WHERE shard = ${shard})`);
    expect((await verify()).firstBroken).toMatchObject({ shard, reason: 'truncated' });
  });

  it('detects a truncated tail whose head was rewound too, through the signed checkpoint', async () => {
    await t.app.get(AuditCheckpoints).writePeriodic();
    await tamper(`DELETE FROM audit_events WHERE shard = ${shard} AND seq > 1;
      UPDATE audit_chain_heads SET seq = 1, hash = (SELECT hash FROM audit_events WHERE shard = ${shard} AND seq = 1)
      WHERE shard = ${shard}`);
    expect((await verify()).firstBroken).toMatchObject({ shard, seq: 2, reason: 'truncated' });
  });

  it('detects a forged checkpoint', async () => {
    await t.app.get(AuditCheckpoints).writePeriodic();
    await tamper(`UPDATE audit_checkpoints SET heads = '[]'`);
    expect((await verify()).firstBroken).toMatchObject({ reason: 'checkpoint_forged' });
  });

  it('checks a time window and its link to the event before it', async () => {
    const [{ at }] = await t.db.query<{ at: string }>(
      `SELECT occurred_at AS at FROM audit_events WHERE shard = ${shard} AND seq = 3`,
    );
    const from = encodeURIComponent(new Date(at).toISOString());
    const intact = await verify(`?from=${from}`);
    expect(intact.ok).toBe(true);
    await tamper(`DELETE FROM audit_events WHERE shard = ${shard} AND seq = 2`);
    expect((await verify(`?from=${from}`)).firstBroken).toMatchObject({ shard, seq: 2, reason: 'missing_event' });
  });

  it('records a failed verification as a critical security event', async () => {
    await tamper(`UPDATE audit_events SET details = '{"i": -1}' WHERE shard = ${shard} AND seq = 1`);
    await verify();
    const [event] = await t.db.query<{ details: { firstBroken: { shard: number } } }>(
      `SELECT details FROM audit_events WHERE action = 'audit.verify.failed' AND severity = 'critical'`,
    );
    expect(event.details.firstBroken.shard).toBe(shard);
  });

  it('refuses updates, deletes and truncation of audit rows and checkpoints, even by the owner', async () => {
    await t.app.get(AuditCheckpoints).writePeriodic();
    await expect(t.db.query(`UPDATE audit_events SET actor_id = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`DELETE FROM audit_checkpoints`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`UPDATE audit_checkpoints SET heads = '[]'`)).rejects.toThrow(/append-only/);
    expect(await verify()).toMatchObject({ ok: true, eventsChecked: 60, checkpointsChecked: 1 });
  });

  it('answers a problem document for a malformed range', async () => {
    const res = await (await t.as('auditor')).get('/audit/verify?from=yesterday').expect(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });
});
