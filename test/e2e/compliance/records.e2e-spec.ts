import { startTestApp, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';

describe('compliance records API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ OUTBOX_POLL_INTERVAL_MS: '200' });
  });
  afterAll(() => t.close());

  const count = async (table: string) =>
    Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0].n);
  // The request's audit event has an outbox row of its own.
  const recordEvents = () => count(`outbox_events WHERE type LIKE 'record.%'`);

  async function create(overrides = {}) {
    const analyst = await t.as('analyst');
    return analyst.post('/compliance/records').send(aRecord(overrides)).expect(201);
  }

  it('creates a record, answers its view with an ETag, and writes one outbox event in the same transaction', async () => {
    const before = await recordEvents();
    const res = await create({ score: 87.5 });
    expect(res.body).toMatchObject({ framework: 'GDPR', status: 'passed', score: 87.5, version: 1 });
    expect(res.headers.etag).toBe('"1"');
    expect(res.body.evidenceNotes).toBeNull();
    expect(await recordEvents()).toBe(before + 1);
    const reader = await t.as('auditor');
    const read = await reader.get(`/compliance/records/${res.body.id}`).expect(200);
    expect(read.body).toEqual(res.body);
  });

  it('updates with If-Match, and answers 409 to a stale version without changing the record', async () => {
    const { body: created } = await create();
    const analyst = await t.as('analyst');
    const updated = await analyst
      .patch(`/compliance/records/${created.id}`)
      .set('If-Match', '"1"')
      .send({ status: 'failed', score: 12 })
      .expect(200);
    expect(updated.body).toMatchObject({ status: 'failed', score: 12, version: 2 });

    const stale = await analyst
      .patch(`/compliance/records/${created.id}`)
      .set('If-Match', '"1"')
      .send({ status: 'passed' })
      .expect(409);
    expect(stale.headers['content-type']).toMatch(/problem\+json/);
    expect(stale.body.type).toBe('/problems/version-conflict');
    const read = await analyst.get(`/compliance/records/${created.id}`).expect(200);
    expect(read.body).toMatchObject({ status: 'failed', version: 2 });
  });

  it('requires a version to update (428) and accepts it in the body instead of If-Match', async () => {
    const { body: created } = await create();
    const analyst = await t.as('analyst');
    await analyst.patch(`/compliance/records/${created.id}`).send({ score: 50 }).expect(428);
    await analyst.patch(`/compliance/records/${created.id}`).send({ score: 50, version: 1 }).expect(200);
  });

  it('never serves a stale read after a successful PATCH returns (cache invalidated)', async () => {
    const { body: created } = await create({ score: 10 });
    const analyst = await t.as('analyst');
    for (let version = 1; version <= 5; version++) {
      await analyst.get(`/compliance/records/${created.id}`).expect(200);
      await analyst
        .patch(`/compliance/records/${created.id}`)
        .set('If-Match', `"${version}"`)
        .send({ score: 10 + version })
        .expect(200);
      const read = await analyst.get(`/compliance/records/${created.id}`).expect(200);
      expect(read.body).toMatchObject({ score: 10 + version, version: version + 1 });
    }
  });

  it('soft-deletes: the record is gone from the API but its row is kept', async () => {
    const { body: created } = await create();
    const analyst = await t.as('analyst');
    await analyst.get(`/compliance/records/${created.id}`).expect(200);
    await analyst.delete(`/compliance/records/${created.id}`).expect(204);
    await analyst.get(`/compliance/records/${created.id}`).expect(404);
    await analyst.delete(`/compliance/records/${created.id}`).expect(404);
    const [row] = await t.db.query<{ deleted_at: Date | null }>(
      'SELECT deleted_at FROM compliance_records WHERE id = $1',
      [created.id],
    );
    expect(row.deleted_at).not.toBeNull();
  });

  it('answers 404 for an unknown or malformed id', async () => {
    const analyst = await t.as('analyst');
    await analyst.get('/compliance/records/00000000-0000-4000-8000-000000000000').expect(404);
    await analyst.get('/compliance/records/not-a-uuid').expect(404);
  });

  describe('bad input: 400 problem+json, nothing written', () => {
    it.each([
      ['an unknown framework', { framework: 'NOPE' }, 'framework'],
      ['an unknown status', { status: 'great' }, 'status'],
      ['a score over 100', { score: 100.5 }, 'score'],
      ['a negative score', { score: -1 }, 'score'],
      ['details that are not an object', { details: [1, 2] }, 'details'],
      ['details over the size cap', { details: { blob: 'x'.repeat(20_000) } }, 'details'],
      ['a score written without a decimal point (1e-7)', { score: 1e-7 }, 'score'],
      ['a date that is an object', { assessedAt: { toString: 1 } as unknown as string }, 'assessedAt'],
    ])('rejects %s', async (_name, overrides, field) => {
      const analyst = await t.as('analyst');
      const before = await count('compliance_records');
      const outboxBefore = await count('outbox_events');
      const res = await analyst.post('/compliance/records').send(aRecord(overrides)).expect(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await count('compliance_records')).toBe(before);
      expect(await count('outbox_events')).toBe(outboxBefore);
    });
  });
});
