import { OutboxRelay } from '../../src/infrastructure/outbox/outbox-relay';
import { ElasticsearchSync } from '../../src/modules/search/jobs/elasticsearch-sync.job';
import { SearchIndexer } from '../../src/modules/search/search-indexer';
import { startTestApp, TestApp } from '../support/app';
import { complianceCorpus } from '../support/search-corpus';

const CORPUS = complianceCorpus(5, 300);

describe('search with an unreachable Elasticsearch node', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ ELASTICSEARCH_NODE: 'http://127.0.0.1:9' });
    await t.app.get(SearchIndexer).index(CORPUS);
  });
  afterAll(() => t.close());

  it('still accepts writes and keeps them queued for Elasticsearch', async () => {
    const [{ count }] = await t.db.query<{ count: number }>(`SELECT count(*)::int AS count FROM search_index_backlog`);
    expect(count).toBe(CORPUS.length);
  });

  it('answers from Postgres and says so in X-Search-Engine', async () => {
    const response = await (await t.as('auditor')).get('/search').query({ q: 'backup', facets: 'status' });
    expect(response.status).toBe(200);
    expect(response.headers['x-search-engine']).toBe('postgres');
    expect(response.body.total).toBe(CORPUS.filter((d) => /backup/i.test(d.title + d.body)).length);
    expect(response.body.total).toBeGreaterThan(0);
  });

  it('counts fallbacks and reports the backlog in metrics', async () => {
    await (await t.as('auditor')).get('/search').query({ q: 'access' });
    // Deliver what logging in wrote (the user's document, audit events), then refresh the gauges the
    // way each sync attempt (every 5 s) does, rather than wait.
    await t.app.get(OutboxRelay).drain();
    await expect(t.app.get(ElasticsearchSync).drain()).rejects.toThrow();
    const [{ count }] = await t.db.query<{ count: number }>(`SELECT count(*)::int AS count FROM search_index_backlog`);
    expect(count).toBeGreaterThanOrEqual(CORPUS.length);
    const metrics = (await t.http().get('/metrics')).text;
    expect(metrics).toMatch(/^search_fallback_total [1-9]/m);
    expect(metrics).toMatch(new RegExp(`^search_index_backlog_documents ${count}$`, 'm'));
  });
});
