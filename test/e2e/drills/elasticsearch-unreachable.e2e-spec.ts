import { call, inTurn, LoadLoop, Outcome, printDrill, sleep, waitFor } from '../../support/drill-load.js';
import { ElasticsearchStub } from '../../support/elasticsearch-stub.js';
import { freePort } from '../../support/spare-services.js';
import { startTestApp, TestApp } from '../../support/app.js';
import { aRecord } from '../../support/builders/compliance-record.builder.js';

const DOWN_MS = 5_000;

/**
 * Record writes (which feed the search index through the outbox), searches and readiness probes
 * while the Elasticsearch node (a stub that speaks enough of its API) becomes unreachable and returns.
 */
describe('drill: Elasticsearch configured, unreachable for 5 s, then back', () => {
  let stub: ElasticsearchStub;
  let t: TestApp;
  let base: string;
  let outcomes: Outcome[];
  let goneAt: number;
  let backAt: number;
  const seen: Record<string, unknown> = {};

  const ready = async () => JSON.parse((await call(base, 'GET', '/health/ready', 'probe')).body ?? '{}');
  const backlogMetric = async () => {
    const text = (await call(base, 'GET', '/metrics', 'probe')).body ?? '';
    return Number(/^search_index_backlog_documents (\d+)$/m.exec(text)?.[1] ?? NaN);
  };

  beforeAll(async () => {
    stub = new ElasticsearchStub(await freePort());
    await stub.start();
    // The default check timeout: readiness must hold under this load as it would in production.
    t = await startTestApp({ ELASTICSEARCH_NODE: stub.url });
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    seen.elasticsearchBefore = (await ready()).details?.elasticsearch?.state;
    const writer = (await t.as('analyst')).token;
    const reader = (await t.as('auditor')).token;
    const requests = [
      (n: number) => call(base, 'POST', '/compliance/records', `w${n}`, { token: writer, body: aRecord() }),
      () => call(base, 'GET', '/search?q=encryption&index=compliance', 'search', { token: reader }),
      () => call(base, 'GET', '/health/ready', 'ready'),
    ];
    const load = new LoadLoop(inTurn(requests)).start();
    await sleep(1_000);
    await stub.stop();
    goneAt = Date.now();
    await waitFor(async () => (await ready()).details?.elasticsearch?.state === 'down', 5_000, 'Elasticsearch down');
    seen.backlogEarly = await backlogMetric();
    await sleep(DOWN_MS);
    seen.backlogLate = await backlogMetric();
    await stub.start();
    backAt = Date.now();
    outcomes = await load.stop();
    const written = outcomes
      .filter((o) => o.tag.startsWith('w') && o.status === 201)
      .map((o) => (JSON.parse(o.body ?? '{}') as { id: string }).id);
    seen.notIndexed = await waitFor(async () => written.every((id) => stub.indexedIds.has(id)), 30_000, 'indexing')
      .then(() => [])
      .catch(() => written.filter((id) => !stub.indexedIds.has(id)));
    // The gauge is refreshed when a drain finishes, which may be just after the last document lands.
    seen.backlogAfter = await waitFor(async () => (await backlogMetric()) === 0, 15_000, 'backlog gauge')
      .then(() => 0)
      .catch(() => backlogMetric());
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    await stub?.stop();
  });

  const during = (tag: string) =>
    outcomes.filter((o) => o.tag === tag && o.startedAt > goneAt + 500 && o.startedAt < backAt);

  it('reports Elasticsearch up, then down, and stays ready throughout', () => {
    expect(seen.elasticsearchBefore).toBe('up');
    expect(outcomes.filter((o) => o.tag === 'ready' && o.status !== 200)).toEqual([]);
    expect(during('ready').length).toBeGreaterThan(5);
  });

  it('answers every search from Postgres while the node is gone, saying so in X-Search-Engine', () => {
    const searches = during('search');
    expect(searches.length).toBeGreaterThan(5);
    expect(searches.filter((o) => o.status !== 200 || o.headers?.['x-search-engine'] !== 'postgres')).toEqual([]);
    expect(outcomes.filter((o) => o.tag === 'search' && o.status !== 200)).toEqual([]);
  });

  it('grows the index backlog while the node is gone and drains it to the node once it is back', async () => {
    expect(seen.backlogLate).toBeGreaterThan(seen.backlogEarly as number);
    expect(seen.notIndexed).toEqual([]);
    expect(seen.backlogAfter).toBe(0);
  });

  it('keeps every write succeeding and loses none', async () => {
    const writes = outcomes.filter((o) => o.tag.startsWith('w'));
    const acknowledged = writes
      .filter((o) => o.status === 201)
      .map((o) => (JSON.parse(o.body ?? '{}') as { id: string }).id);
    const stored = await t.db.query<{ id: string }>('SELECT id FROM compliance_records WHERE id = ANY($1)', [
      acknowledged,
    ]);
    const lost = acknowledged.length - stored.length;
    printDrill({
      drill: 'elasticsearch-unreachable',
      sent: outcomes.length,
      failed: outcomes.filter((o) => o.status !== 200 && o.status !== 201).length,
      lost,
      writesDuringOutage: writes.filter((o) => o.startedAt > goneAt && o.startedAt < backAt).length,
      searchesFromPostgres: during('search').length,
      backlogPeak: seen.backlogLate,
    });
    expect(writes.filter((o) => o.status !== 201)).toEqual([]);
    expect(lost).toBe(0);
  });
});
