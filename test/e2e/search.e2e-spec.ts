import { SearchIndexer } from '../../src/modules/search/search-indexer';
import { startTestApp, TestApp } from '../support/app';
import { complianceCorpus } from '../support/search-corpus';

const CORPUS = complianceCorpus(3, 2000);

describe('search API (Postgres engine)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.get(SearchIndexer).index(CORPUS);
  });
  afterAll(() => t.close());

  it('answers a filtered, faceted query with hits, highlights, facet counts and the engine header', async () => {
    const response = await (
      await t.as('analyst')
    )
      .get('/search')
      .query({ q: 'encryption overdue', framework: 'SOC2', facets: 'framework,status', pageSize: 5 });
    expect(response.status).toBe(200);
    expect(response.headers['x-search-engine']).toBe('postgres');
    const expected = CORPUS.filter((d) => d.keywords.framework === 'SOC2' && /overdue/.test(d.body));
    expect(response.body).toMatchObject({
      engine: 'postgres',
      total: expected.length,
      totalRelation: 'eq',
      page: 1,
      pageSize: 5,
    });
    expect(response.body.hits).toHaveLength(5);
    expect(response.body.hits[0].highlights.join(' ')).toMatch(/<mark>overdue<\/mark>/i);
    expect(response.body.facets.framework).toEqual([{ value: 'SOC2', count: expected.length }]);
    expect(typeof response.body.tookMs).toBe('number');
  });

  it.each([
    ['an unclosed phrase', { q: '"key rotation' }, 'q'],
    ['an unsupported operator', { q: 'title:(access)' }, 'q'],
    ['a query over 200 characters', { q: 'a'.repeat(201) }, 'q'],
    ['a filter the index does not have', { q: 'access', index: 'users', framework: 'SOC2' }, 'framework'],
    ['an unknown facet', { q: 'access', facets: 'email' }, 'facets'],
    ['an unknown index', { q: 'access', index: 'documents' }, 'index'],
  ])('rejects %s with a 400 problem naming the field', async (_case, query, field) => {
    const response = await (await t.as('analyst')).get('/search').query(query);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.body.type).toBe('/problems/validation');
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('suggests control ids for a prefix', async () => {
    const response = await (await t.as('auditor')).get('/search/suggest').query({ q: 'cc6' });
    expect(response.status).toBe(200);
    const controls = response.body.suggestions.filter((s: { kind: string }) => s.kind === 'control');
    expect(controls.length).toBeGreaterThan(0);
    for (const s of controls) expect(s.text).toMatch(/^CC6\./);
  });
});
