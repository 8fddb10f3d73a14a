import type { Role } from '../../../src/common/auth/roles';
import { startTestApp, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';
import { waitFor } from '../../support/wait-for';

describe('compliance records: who may do what, and what reaches the search index', () => {
  let t: TestApp;
  let recordId: string;
  beforeAll(async () => {
    t = await startTestApp({ OUTBOX_POLL_INTERVAL_MS: '200' });
    const analyst = await t.as('analyst');
    recordId = (await analyst.post('/compliance/records').send(aRecord()).expect(201)).body.id;
  });
  afterAll(() => t.close());

  const count = async (sql: string) => Number((await t.db.query<{ n: string }>(sql))[0].n);
  // Refused requests are audited (with an outbox row of their own); record writes are not made.
  const writes = () =>
    count(
      `SELECT (SELECT count(*) FROM compliance_records) + (SELECT count(*) FROM outbox_events WHERE type LIKE 'record.%') AS n`,
    );
  const day = 86_400_000;
  const range = `from=${new Date(Date.now() - 7 * day).toISOString()}&to=${new Date(Date.now() + day).toISOString()}`;

  type Call = [label: string, send: (as: Role) => Promise<{ status: number; headers: Record<string, string> }>];
  const reads: Call[] = [
    ['GET /compliance/records', async (role) => (await t.as(role)).get('/compliance/records')],
    ['GET /compliance/records/:id', async (role) => (await t.as(role)).get(`/compliance/records/${recordId}`)],
    ['GET /compliance/analytics', async (role) => (await t.as(role)).get(`/compliance/analytics?${range}&bucket=1d`)],
    ['GET /compliance/analytics/summary', async (role) => (await t.as(role)).get('/compliance/analytics/summary')],
  ];
  const writeCalls: Call[] = [
    ['POST /compliance/records', async (role) => (await t.as(role)).post('/compliance/records').send(aRecord())],
    [
      'POST /compliance/records/bulk',
      async (role) => (await t.as(role)).post('/compliance/records/bulk').send({ records: [aRecord(), aRecord()] }),
    ],
    [
      'PATCH /compliance/records/:id',
      async (role) =>
        (await t.as(role)).patch(`/compliance/records/${recordId}`).set('If-Match', '"1"').send({ score: 12 }),
    ],
    ['DELETE /compliance/records/:id', async (role) => (await t.as(role)).delete(`/compliance/records/${recordId}`)],
  ];

  it.each(reads)('%s: analyst, auditor and admin read; the service role gets 403', async (_label, send) => {
    for (const role of ['analyst', 'auditor', 'admin'] as const) expect((await send(role)).status).toBe(200);
    const refused = await send('service');
    expect(refused.status).toBe(403);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
  });

  it.each(writeCalls)('%s: auditor and service get 403 and nothing is written', async (_label, send) => {
    const before = await writes();
    for (const role of ['auditor', 'service'] as const) {
      const refused = await send(role);
      expect(refused.status).toBe(403);
      expect(refused.headers['content-type']).toMatch(/problem\+json/);
    }
    expect(await writes()).toBe(before);
  });

  it('lets analyst and admin write', async () => {
    for (const role of ['analyst', 'admin'] as const) {
      const created = await (await t.as(role)).post('/compliance/records').send(aRecord()).expect(201);
      await (
        await t.as(role)
      )
        .patch(`/compliance/records/${created.body.id}`)
        .set('If-Match', '"1"')
        .send({ score: 12 })
        .expect(200);
      await (await t.as(role)).delete(`/compliance/records/${created.body.id}`).expect(204);
      await (
        await t.as(role)
      )
        .post('/compliance/records/bulk')
        .send({ records: [aRecord()] })
        .expect(201);
    }
  });

  it('indexes records for search without their evidence notes, single or bulk', async () => {
    const secret = 'Interviewed Zebedee Quarrington about badge 4471';
    const analyst = await t.as('analyst');
    const single = await analyst
      .post('/compliance/records')
      .send({ ...aRecord(), evidenceNotes: secret })
      .expect(201);
    const bulk = await analyst
      .post('/compliance/records/bulk')
      .send({ records: [1, 2, 3].map(() => ({ ...aRecord(), evidenceNotes: secret })) })
      .expect(201);
    const ids = [single.body.id, ...bulk.body.ids];
    await waitFor(
      async () =>
        (await count(
          `SELECT count(*) AS n FROM search_documents WHERE index_name = 'compliance' AND document_id = ANY('{${ids.join(',')}}')`,
        )) === ids.length,
      20_000,
    );
    expect(await count(`SELECT count(*) AS n FROM search_documents x WHERE x::text ILIKE '%Quarrington%'`)).toBe(0);
    const found = await analyst.get('/search').query({ index: 'compliance', q: 'Quarrington' }).expect(200);
    expect(found.body.total).toBe(0);
  });
});
