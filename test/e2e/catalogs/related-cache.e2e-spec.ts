import { randomUUID } from 'node:crypto';
import { startTestApp, startTestReplica, TestApp } from '../../support/app';

function aCatalog(controls: string[]) {
  return {
    catalog: {
      uuid: randomUUID(),
      metadata: {
        title: 'Illustrative',
        'last-modified': '2026-12-01T00:00:00Z',
        version: '1',
        'oscal-version': '1.0.6',
      },
      groups: [{ id: 'g', title: 'Illustrative', controls: controls.map((id) => ({ id, title: `Control ${id}` })) }],
    },
  };
}

const edge = (from: string, to: string) => ({
  from: { framework: 'CACHE-A', control: from },
  to: { framework: 'CACHE-B', control: to },
  relationship: 'equivalent',
});

describe('related controls: cached until the graph changes, bounded by limit', () => {
  let t: TestApp;
  let replica: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    replica = await startTestReplica(t);
    const admin = await t.as('admin');
    await admin
      .post('/catalogs/import?framework=CACHE-A')
      .send(aCatalog(['a1', 'a2']))
      .expect(200);
    await admin
      .post('/catalogs/import?framework=CACHE-B')
      .send(aCatalog(['b1', 'b2', 'b3', 'b4', 'b5']))
      .expect(200);
    await admin
      .post('/catalogs/mappings/import')
      .send({ source: 'cache-e2e', mappings: [edge('a1', 'b1')] })
      .expect(200);
  });
  afterAll(async () => {
    await replica.close();
    await t.close();
  });

  const cacheHits = async (app: TestApp) => {
    const text = (await app.http().get('/metrics').expect(200)).text;
    const line = text.split('\n').find((l) => l.startsWith('control_graph_cache_requests_total{result="hit"}'));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const reached = async (app: TestApp, query = '') => {
    const res = await (
      await app.as('analyst')
    )
      .get(`/catalogs/CACHE-A/controls/a1/related?depth=1${query}`)
      .expect(200);
    return res.body as { total: number; truncated: boolean; limit: number; related: { control: string }[] };
  };

  it('answers a repeated walk from the cache', async () => {
    expect((await reached(t)).related.map((r) => r.control)).toEqual(['b1']);
    const before = await cacheHits(t);
    expect((await reached(t)).related.map((r) => r.control)).toEqual(['b1']);
    expect(await cacheHits(t)).toBe(before + 1);
  });

  it('sees a mapping import at once, on this replica and on another one sharing Redis', async () => {
    await reached(replica);
    await (
      await t.as('admin')
    )
      .post('/catalogs/mappings/import')
      .send({ source: 'cache-e2e', mappings: [edge('a1', 'b1'), edge('a1', 'b2')] })
      .expect(200);
    expect((await reached(t)).related.map((r) => r.control)).toEqual(['b1', 'b2']);
    expect((await reached(replica)).related.map((r) => r.control)).toEqual(['b1', 'b2']);
  });

  it('sees a catalog re-import at once (a removed control leaves the answer)', async () => {
    await reached(t);
    await (
      await t.as('admin')
    )
      .post('/catalogs/import?framework=CACHE-B')
      .send(aCatalog(['b1', 'b3', 'b4', 'b5']))
      .expect(200);
    expect((await reached(t)).related.map((r) => r.control)).toEqual(['b1']);
  });

  it('stops at limit, nearest first, and says how many were reachable', async () => {
    await (
      await t.as('admin')
    )
      .post('/catalogs/mappings/import')
      .send({ source: 'cache-e2e', mappings: ['b1', 'b3', 'b4', 'b5'].map((to) => edge('a1', to)) })
      .expect(200);
    const all = await reached(t);
    expect(all).toMatchObject({ total: 4, truncated: false, limit: 200 });
    const some = await reached(t, '&limit=2');
    expect(some).toMatchObject({ total: 4, truncated: true, limit: 2 });
    expect(some.related.map((r) => r.control)).toEqual(['b1', 'b3']);
    await (await t.as('analyst')).get('/catalogs/CACHE-A/controls/a1/related?limit=2001').expect(400);
  });
});
