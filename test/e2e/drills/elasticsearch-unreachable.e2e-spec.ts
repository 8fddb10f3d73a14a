import { createServer, Server } from 'node:http';
import { call, LoadLoop, Outcome, printDrill, sleep, waitFor } from '../../support/drill-load.js';
import { freePort } from '../../support/spare-services.js';
import { TransactionFixtureModule } from '../../support/transaction.fixture.js';
import { startTestApp, TestApp } from '../../support/app.js';

/** Answers the cluster-health call like Elasticsearch 9 (product header included). */
function elasticsearchStub(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
    res.end(JSON.stringify({ cluster_name: 'stub', status: 'green', number_of_nodes: 1 }));
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

/**
 * With today's app Elasticsearch is only reported by readiness; the search fallback and the
 * outbox backlog metric join this drill when those modules land.
 */
describe('drill: Elasticsearch configured, then unreachable', () => {
  let stub: Server;
  let t: TestApp;
  let base: string;
  let outcomes: Outcome[];
  let stateBefore: string;
  let goneAt: number;

  const elasticsearchState = async () =>
    JSON.parse((await call(base, 'GET', '/health/ready', 'probe')).body ?? '{}').details?.elasticsearch?.state;

  beforeAll(async () => {
    const port = await freePort();
    stub = await elasticsearchStub(port);
    t = await startTestApp({ ELASTICSEARCH_NODE: `http://127.0.0.1:${port}`, HEALTH_CHECK_TIMEOUT_MS: '300' }, [
      TransactionFixtureModule,
    ]);
    await t.db.query('CREATE TABLE tx_probe (label text NOT NULL)');
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    stateBefore = await elasticsearchState();
    const load = new LoadLoop(
      (n) => (n % 2 ? call(base, 'POST', `/test-tx/w${n}`, `w${n}`) : call(base, 'GET', '/health/ready', 'ready')),
      { workers: 4, maxRequests: 20_000, maxMs: 30_000 },
    ).start();
    await sleep(500);
    stub.closeAllConnections();
    await new Promise((resolve) => stub.close(resolve));
    goneAt = Date.now();
    await waitFor(async () => (await elasticsearchState()) === 'down', 5_000, 'Elasticsearch reported down');
    await sleep(3_000);
    outcomes = await load.stop();
  }, 60_000);
  afterAll(() => t?.close());

  it('reports Elasticsearch up while the stub answers', () => {
    expect(stateBefore).toBe('up');
  });

  it('stays ready with Elasticsearch down, and writes keep succeeding without loss', async () => {
    const after = outcomes.filter((o) => o.startedAt > goneAt + 500);
    const readiness = after.filter((o) => o.tag === 'ready');
    expect(readiness.length).toBeGreaterThan(5);
    expect(
      readiness.filter((o) => o.status !== 200 || JSON.parse(o.body ?? '{}').details.elasticsearch.state !== 'down'),
    ).toEqual([]);
    const writes = outcomes.filter((o) => o.tag.startsWith('w'));
    const stored = new Set((await t.db.query<{ label: string }>('SELECT label FROM tx_probe')).map((r) => r.label));
    const lost = writes.filter((o) => o.status === 201 && !stored.has(o.tag));
    printDrill({
      drill: 'elasticsearch-unreachable',
      sent: outcomes.length,
      failed: outcomes.filter((o) => o.status !== 200 && o.status !== 201).length,
      lost: lost.length,
    });
    expect(writes.filter((o) => o.status !== 201)).toEqual([]);
    expect(lost).toEqual([]);
  });
});
