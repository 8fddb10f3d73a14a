import { startTestApp, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';
import { waitFor } from '../../support/wait-for';

describe('bulk ingest of compliance records', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ OUTBOX_POLL_INTERVAL_MS: '200' });
  });
  afterAll(() => t.close());

  const count = async (sql: string) => Number((await t.db.query<{ n: string }>(sql))[0].n);
  const records = () => count('SELECT count(*) AS n FROM compliance_records');
  // The request's audit event has an outbox row of its own.
  const outboxEvents = () => count(`SELECT count(*) AS n FROM outbox_event_entries WHERE type LIKE 'record.%'`);

  it('commits 10,000 records with their outbox events in one call, and the relay turns them into events', async () => {
    const batch = Array.from({ length: 10_000 }, (_, i) => aRecord({ controlId: `C-${i}`, score: i % 101 }));
    const analyst = await t.as('analyst');
    const res = await analyst.post('/compliance/records/bulk').send({ records: batch }).expect(201);
    expect(res.body.created).toBe(10_000);
    expect(new Set(res.body.ids).size).toBe(10_000);
    expect(await records()).toBe(10_000);
    expect(await outboxEvents()).toBe(10_000);
    expect(await count(`SELECT count(*) AS n FROM outbox_events WHERE type LIKE 'record.%'`)).toBe(1);
    const [first] = await t.db.query<{ control_id: string }>(
      'SELECT control_id FROM compliance_records WHERE id = $1',
      [res.body.ids[1234]],
    );
    expect(first.control_id).toBe('C-1234');
    const events = await t.db.query<{ aggregate_id: string; payload: { record: { controlId: string } } }>(
      'SELECT aggregate_id, payload FROM outbox_event_entries WHERE aggregate_id = ANY($1) ORDER BY event_id',
      [res.body.ids],
    );
    expect(events.map((event) => event.aggregate_id)).toEqual(res.body.ids);
    expect(events[1234].payload.record.controlId).toBe('C-1234');
    const audit = await t.db.query<{ details: { created: number } }>(
      `SELECT details FROM audit_events WHERE action = 'compliance.record.bulk-created'`,
    );
    expect(audit.map((row) => row.details.created)).toEqual([10_000]);
    await waitFor(async () => (await count('SELECT count(*) AS n FROM compliance_events')) === 10_000, 60_000);
  });

  it('writes nothing when one record of a 10,000 batch is invalid, and names its index', async () => {
    const before = await records();
    const beforeOutbox = await outboxEvents();
    const batch = Array.from({ length: 10_000 }, () => aRecord());
    batch[9_317] = aRecord({ score: 101 });
    const analyst = await t.as('analyst');
    const res = await analyst.post('/compliance/records/bulk').send({ records: batch }).expect(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body).toMatchObject({
      type: '/problems/validation',
      status: 400,
      detail: 'Invalid field(s): records.9317.score.',
      errors: [{ field: 'records.9317.score', messages: ['score must not be greater than 100'] }],
    });
    expect(await records()).toBe(before);
    expect(await outboxEvents()).toBe(beforeOutbox);
    expect(await count(`SELECT count(*) AS n FROM audit_events WHERE action = 'compliance.record.bulk-created'`)).toBe(
      1,
    );
  });

  it('names the index of a record with an unknown framework, writing nothing', async () => {
    const before = await records();
    const batch = Array.from({ length: 50 }, () => aRecord());
    batch[42] = aRecord({ framework: 'MADE-UP' });
    const analyst = await t.as('analyst');
    const res = await analyst.post('/compliance/records/bulk').send({ records: batch }).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['records.42.framework']);
    expect(await records()).toBe(before);
  });

  it('names bad records of the first and the last chunk, not an unknown framework, and writes nothing', async () => {
    const before = await records();
    const beforeOutbox = await outboxEvents();
    const batch: unknown[] = Array.from({ length: 10_000 }, () => aRecord());
    batch[0] = aRecord({ score: -1 });
    batch[5_000] = aRecord({ framework: 'MADE-UP' });
    batch[9_999] = { ...aRecord(), note: 'x' };
    const analyst = await t.as('analyst');
    const res = await analyst.post('/compliance/records/bulk').send({ records: batch }).expect(400);
    expect(res.body).toMatchObject({
      detail: 'Invalid field(s): records.0.score, records.9999.note.',
      errors: [
        { field: 'records.0.score', messages: ['score must not be less than 0'] },
        { field: 'records.9999.note', messages: ['property note should not exist'] },
      ],
    });
    expect(await records()).toBe(before);
    expect(await outboxEvents()).toBe(beforeOutbox);
  });

  it('rejects more than 10,000 records with 400', async () => {
    const before = await records();
    const batch = Array.from({ length: 10_001 }, () => aRecord());
    const analyst = await t.as('analyst');
    const res = await analyst.post('/compliance/records/bulk').send({ records: batch }).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('records');
    expect(await records()).toBe(before);
  });

  it('keeps the global body limit on other routes', async () => {
    const analyst = await t.as('analyst');
    await analyst
      .post('/compliance/records')
      .send(aRecord({ details: { blob: 'x'.repeat(2_000_000) } }))
      .expect(413);
  });
});
