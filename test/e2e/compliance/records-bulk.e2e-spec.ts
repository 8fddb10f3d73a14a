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
  const outboxEvents = () => count('SELECT count(*) AS n FROM outbox_events');

  it('commits 10,000 records with their outbox events in one call, and the relay turns them into events', async () => {
    const batch = Array.from({ length: 10_000 }, (_, i) => aRecord({ controlId: `C-${i}`, score: i % 101 }));
    const analyst = await t.as('analyst');
    const res = await analyst.post('/compliance/records/bulk').send({ records: batch }).expect(201);
    expect(res.body.created).toBe(10_000);
    expect(new Set(res.body.ids).size).toBe(10_000);
    expect(await records()).toBe(10_000);
    expect(await outboxEvents()).toBe(10_000);
    const [first] = await t.db.query<{ control_id: string }>(
      'SELECT control_id FROM compliance_records WHERE id = $1',
      [res.body.ids[1234]],
    );
    expect(first.control_id).toBe('C-1234');
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
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['records.9317.score']);
    expect(await records()).toBe(before);
    expect(await outboxEvents()).toBe(beforeOutbox);
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
