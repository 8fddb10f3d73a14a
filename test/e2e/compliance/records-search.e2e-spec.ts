import { OutboxRelay } from '../../../src/infrastructure/outbox/outbox-relay';
import { SearchIndexer } from '../../../src/modules/search/search-indexer';
import { aComplianceDocument } from '../../support/search-corpus';
import { startTestApp, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';

describe('compliance records in search, fed by the outbox', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  const drain = () => t.app.get(OutboxRelay).drain();
  const search = async (query: string) =>
    (await (await t.as('analyst')).get(`/search?index=compliance&${query}`).expect(200)).body as {
      total: number;
      hits: { id: string }[];
    };

  it('indexes a created record, finds it by control id and by framework name, and never indexes details', async () => {
    const body = aRecord({ controlId: 'CC6.1', framework: 'SOC2', details: { reviewer: 'Jane Reviewer' } });
    const { body: record } = await (await t.as('analyst')).post('/compliance/records').send(body).expect(201);
    await drain();

    expect((await search('q=CC6.1')).hits.map((hit) => hit.id)).toContain(record.id);
    const stored = await t.db.query<{ row: string }>(
      `SELECT row_to_json(d)::text AS row FROM search_documents d WHERE index_name = 'compliance' AND document_id = $1`,
      [record.id],
    );
    expect(stored).toHaveLength(1);
    expect(stored[0].row).not.toContain('Jane Reviewer');
  });

  it('finds GDPR records by the regulation name', async () => {
    const body = aRecord({ controlId: 'Art.30-ropa', framework: 'GDPR' });
    const { body: record } = await (await t.as('analyst')).post('/compliance/records').send(body).expect(201);
    await drain();
    const hits = (await search(`q=${encodeURIComponent('general data protection')}`)).hits.map((hit) => hit.id);
    expect(hits).toContain(record.id);
  });

  it('updates the document on PATCH and removes it on DELETE', async () => {
    const analyst = await t.as('analyst');
    const { body: record } = await analyst
      .post('/compliance/records')
      .send(aRecord({ controlId: 'A.9.2.3', framework: 'ISO27001', status: 'passed' }))
      .expect(201);
    await analyst
      .patch(`/compliance/records/${record.id}`)
      .set('if-match', `"${record.version}"`)
      .send({ status: 'failed' })
      .expect(200);
    await drain();
    const failed = await search(`q=A.9.2.3&status=failed`);
    expect(failed.hits.map((hit) => hit.id)).toContain(record.id);

    const { body: current } = await analyst.get(`/compliance/records/${record.id}`).expect(200);
    await analyst.delete(`/compliance/records/${record.id}`).set('if-match', `"${current.version}"`).expect(204);
    await drain();
    expect((await search('q=A.9.2.3')).hits.map((hit) => hit.id)).not.toContain(record.id);
  });

  it('rebuilds the compliance index from Postgres on reindex, dropping documents with no live record', async () => {
    const admin = await t.as('admin');
    await t.app.get(SearchIndexer).index([aComplianceDocument({ id: 'stray-document' })]);
    const started = await admin.post('/admin/search/reindex?index=compliance').expect(202);
    let run = started.body as { status: string };
    for (let i = 0; i < 100 && run.status === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = (await admin.get(started.headers.location).expect(200)).body;
    }
    expect(run).toMatchObject({ status: 'completed', failure: null });
    const [indexed] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM search_documents WHERE index_name = 'compliance' AND NOT deleted`,
    );
    const [live] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM compliance_records WHERE deleted_at IS NULL`,
    );
    expect(indexed.n).toBe(live.n);
    const stray = await t.db.query(
      `SELECT 1 FROM search_documents WHERE document_id = 'stray-document' AND NOT deleted`,
    );
    expect(stray).toEqual([]);
    expect(live.n).toBeGreaterThan(0);
  });
});
