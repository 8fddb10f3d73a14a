import { startTestApp, TestApp } from '../../support/app';
import { aRecord } from '../../support/builders/compliance-record.builder';
import { waitFor } from '../../support/wait-for';

const counter = (metrics: string, result: string) =>
  Number(new RegExp(`compliance_record_cache_requests_total\\{result="${result}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);

describe.each([
  ['Redis', {}],
  ['the in-process LRU (no REDIS_URL)', { REDIS_URL: undefined }],
])('GET /compliance/records/:id cached in %s', (_kind, environment) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(environment);
  });
  afterAll(() => t.close());

  it('serves the second read from the cache and counts a miss then a hit', async () => {
    const analyst = await t.as('analyst');
    const { body } = await analyst.post('/compliance/records').send(aRecord()).expect(201);
    const before = (await t.http().get('/metrics')).text;
    await analyst.get(`/compliance/records/${body.id}`).expect(200);
    await t.db.query(`UPDATE compliance_records SET score = 1 WHERE id = $1`, [body.id]);
    const second = await analyst.get(`/compliance/records/${body.id}`).expect(200);
    expect(second.body.score).toBe(body.score);
    const after = (await t.http().get('/metrics')).text;
    expect(counter(after, 'miss') - counter(before, 'miss')).toBe(1);
    expect(counter(after, 'hit') - counter(before, 'hit')).toBe(1);
  });
});

describe('a Redis outage', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(() => t.close());

  it('never fails a read or a write of a record', async () => {
    const analyst = await t.as('analyst');
    const { body } = await analyst.post('/compliance/records').send(aRecord()).expect(201);
    await analyst.get(`/compliance/records/${body.id}`).expect(200);
    await analyst.patch(`/compliance/records/${body.id}`).set('If-Match', '"1"').send({ score: 3 }).expect(200);
    const read = await analyst.get(`/compliance/records/${body.id}`).expect(200);
    expect(read.body.score).toBe(3);
  });
});

describe('GET /health (full detail)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ OUTBOX_POLL_INTERVAL_MS: '200' });
  });
  afterAll(() => t.close());

  it('reports the outbox backlog and oldest pending age, and the metrics carry them', async () => {
    // The earlier tests' audit events may still be on their way to the audit index: wait for them.
    const outbox = async () => (await t.http().get('/health').expect(200)).body.details.outbox;
    await waitFor(async () => (await outbox()).backlog === 0, 10_000);
    expect(await outbox()).toMatchObject({ status: 'up', backlog: 0, oldestPendingAgeSeconds: 0 });
    const metrics = (await t.http().get('/metrics')).text;
    expect(metrics).toContain('# TYPE outbox_backlog gauge');
    expect(metrics).toContain('# TYPE outbox_oldest_pending_age_seconds gauge');
  });
});
