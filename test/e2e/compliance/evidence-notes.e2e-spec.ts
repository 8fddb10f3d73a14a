import { Redis } from 'ioredis';
import { recordCacheKey } from '../../../src/modules/compliance/records/cache/record-cache';
import type { EncryptionStatusView } from '../../../src/modules/encryption/dto/encryption.dto';
import { startTestApp, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';
import { TEST_REDIS_URL } from '../../support/database';

const SECRET = 'Interviewed Jane Roe (DPO), home phone +44 20 7946 0958';
const CIPHERTEXT = /^v2:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/;

describe('evidence notes of compliance records', () => {
  let t: TestApp;
  const redis = new Redis(TEST_REDIS_URL);
  beforeAll(async () => {
    t = await startTestApp({ OUTBOX_POLL_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await redis.quit();
    await t.close();
  });

  const storedNotes = async (ids: string[]) =>
    (
      await t.db.query<{ evidence_notes: string | null }>(
        'SELECT evidence_notes FROM compliance_records WHERE id = ANY($1) ORDER BY id',
        [ids],
      )
    ).map((row) => row.evidence_notes);

  /** Every table of the database, as text, except the records table itself. */
  async function tablesHolding(text: string): Promise<string[]> {
    const tables = await t.db.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
       WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND tablename <> 'compliance_records'`,
    );
    const holding: string[] = [];
    for (const { name } of tables) {
      const [row] = await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${name} x WHERE x::text LIKE $1`, [
        `%${text}%`,
      ]);
      if (Number(row.n) > 0) holding.push(name);
    }
    return holding;
  }

  it('stores notes given on create as ciphertext and answers them decrypted', async () => {
    const analyst = await t.as('analyst');
    const { body } = await analyst
      .post('/compliance/records')
      .send({ ...aRecord(), evidenceNotes: SECRET })
      .expect(201);
    expect(body.evidenceNotes).toBe(SECRET);
    const [stored] = await storedNotes([body.id]);
    expect(stored).toMatch(CIPHERTEXT);
    expect(stored).not.toContain('Jane Roe');
    expect((await analyst.get(`/compliance/records/${body.id}`).expect(200)).body.evidenceNotes).toBe(SECRET);
  });

  it('answers null for a record without notes', async () => {
    const analyst = await t.as('analyst');
    const { body } = await analyst.post('/compliance/records').send(aRecord()).expect(201);
    expect(body.evidenceNotes).toBeNull();
    expect(await storedNotes([body.id])).toEqual([null]);
  });

  it('encrypts every row of a bulk insert', async () => {
    const analyst = await t.as('analyst');
    const records = Array.from({ length: 3 }, (_, i) => ({ ...aRecord(), evidenceNotes: `${SECRET} #${i}` }));
    const { body } = await analyst.post('/compliance/records/bulk').send({ records }).expect(201);
    const stored = await storedNotes(body.ids);
    expect(stored).toHaveLength(3);
    for (const value of stored) {
      expect(value).toMatch(CIPHERTEXT);
      expect(value).not.toContain('Jane Roe');
    }
    const read = await analyst.get(`/compliance/records/${body.ids[2]}`).expect(200);
    expect(read.body.evidenceNotes).toBe(`${SECRET} #2`);
  });

  it('encrypts notes set by an update, and clears them with null', async () => {
    const analyst = await t.as('analyst');
    const { body: created } = await analyst.post('/compliance/records').send(aRecord()).expect(201);
    const updated = await analyst
      .patch(`/compliance/records/${created.id}`)
      .set('If-Match', '"1"')
      .send({ evidenceNotes: SECRET })
      .expect(200);
    expect(updated.body.evidenceNotes).toBe(SECRET);
    expect((await storedNotes([created.id]))[0]).toMatch(CIPHERTEXT);
    const cleared = await analyst
      .patch(`/compliance/records/${created.id}`)
      .set('If-Match', '"2"')
      .send({ evidenceNotes: null })
      .expect(200);
    expect(cleared.body.evidenceNotes).toBeNull();
    expect(await storedNotes([created.id])).toEqual([null]);
  });

  it('rejects notes over 10,000 characters with a problem document and writes nothing', async () => {
    const analyst = await t.as('analyst');
    const [before] = await t.db.query<{ n: string }>('SELECT count(*) AS n FROM compliance_records');
    const res = await analyst
      .post('/compliance/records')
      .send({ ...aRecord(), evidenceNotes: 'x'.repeat(10_001) })
      .expect(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    const [after] = await t.db.query<{ n: string }>('SELECT count(*) AS n FROM compliance_records');
    expect(after.n).toBe(before.n);
  });

  it('keeps only ciphertext of the notes in the Redis cache', async () => {
    const analyst = await t.as('analyst');
    const { body } = await analyst
      .post('/compliance/records')
      .send({ ...aRecord(), evidenceNotes: SECRET })
      .expect(201);
    await analyst.get(`/compliance/records/${body.id}`).expect(200);
    const cached = await redis.get(recordCacheKey(t.db.name, body.id));
    expect(cached).toContain(body.id);
    expect(cached).not.toContain('Jane Roe');
    const hit = await analyst.get(`/compliance/records/${body.id}`).expect(200);
    expect(hit.body.evidenceNotes).toBe(SECRET);
  });

  it('audits create, update and delete with the notes shown only as [encrypted], and leaks them into no other table', async () => {
    const analyst = await t.as('analyst');
    const { body } = await analyst
      .post('/compliance/records')
      .send({ ...aRecord(), evidenceNotes: SECRET })
      .expect(201);
    await analyst
      .patch(`/compliance/records/${body.id}`)
      .set('If-Match', '"1"')
      .send({ evidenceNotes: `${SECRET} (revised)`, score: 40 })
      .expect(200);
    await analyst.delete(`/compliance/records/${body.id}`).expect(204);
    const events = await t.db.query<{ action: string; details: Record<string, Record<string, unknown>> }>(
      `SELECT action, details FROM audit_events WHERE resource_type = 'compliance_record' AND resource_id = $1
       ORDER BY occurred_at, seq`,
      [body.id],
    );
    expect(events.map((event) => event.action)).toEqual([
      'compliance.record.created',
      'compliance.record.updated',
      'compliance.record.deleted',
    ]);
    expect(events[0].details.after).toMatchObject({ evidenceNotes: '[encrypted]', framework: 'GDPR' });
    expect(events[1].details).toMatchObject({
      before: { evidenceNotes: '[encrypted]', score: 90 },
      after: { evidenceNotes: '[encrypted]', score: 40 },
    });
    expect(await tablesHolding(body.id)).toEqual(expect.arrayContaining(['public.outbox_events']));
    expect(await tablesHolding('Jane Roe')).toEqual([]);
  });

  it('answers a record whose notes were tampered with as a 422 problem (alone) or a per-record problem (listed), and records a security event', async () => {
    const analyst = await t.as('analyst');
    const entityId = 'org-tampered';
    const { body: intact } = await analyst.post('/compliance/records').send(aRecord({ entityId })).expect(201);
    const { body: tampered } = await analyst
      .post('/compliance/records')
      .send({ ...aRecord({ entityId }), evidenceNotes: SECRET })
      .expect(201);
    await t.db.query(
      `UPDATE compliance_records
       SET evidence_notes = overlay(evidence_notes PLACING
         CASE WHEN substr(evidence_notes, length(evidence_notes) - 10, 1) = 'A' THEN 'B' ELSE 'A' END
         FROM length(evidence_notes) - 10)
       WHERE id = $1`,
      [tampered.id],
    );

    const single = await analyst.get(`/compliance/records/${tampered.id}`).expect(422);
    expect(single.headers['content-type']).toMatch(/problem\+json/);
    expect(single.body.type).toBe('/problems/record-unreadable');
    const page = await analyst.get('/compliance/records').query({ entityId }).expect(200);
    const byId = Object.fromEntries(page.body.items.map((item: { id: string }) => [item.id, item]));
    expect(byId[tampered.id]).toEqual({ id: tampered.id, problem: expect.objectContaining({ status: 422 }) });
    expect(byId[intact.id]).toMatchObject({ id: intact.id, evidenceNotes: null });
    const events = await t.db.query(
      `SELECT 1 FROM audit_events WHERE action = 'encryption.tampered' AND resource_id = $1`,
      [tampered.id],
    );
    expect(events.length).toBeGreaterThanOrEqual(2);
  });

  it('is listed by GET /admin/encryption/status, so key rotation covers it', async () => {
    const admin = await t.as('admin');
    const status: EncryptionStatusView = (await admin.get('/admin/encryption/status').expect(200)).body;
    const column = status.columns.find((c) => c.table === 'compliance_records' && c.column === 'evidence_notes');
    const [stored] = await t.db.query<{ n: string }>(
      'SELECT count(evidence_notes) AS n FROM compliance_records WHERE evidence_notes IS NOT NULL',
    );
    expect(column).toBeDefined();
    expect(Object.values(column?.rowsByKey ?? {}).reduce((a, b) => a + b, 0)).toBe(Number(stored.n));
    expect(Number(stored.n)).toBeGreaterThan(0);
  });
});
