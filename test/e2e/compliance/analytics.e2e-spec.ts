import { AnalyticsService } from '../../../src/modules/compliance/analytics/analytics.service';
import { AnalyticsQuery } from '../../../src/modules/compliance/analytics/dto/analytics.query';
import { startTestApp, TestApp } from '../../support/app';
import { randomRecords, RecordInput } from '../../support/builders/compliance-record.builder';
import { waitFor } from '../../support/wait-for';

const FROM = new Date('2026-11-10T00:00:00Z');
const SPAN_MS = 10 * 86_400_000;

describe('compliance analytics', () => {
  let t: TestApp;
  let records: RecordInput[];
  let ids: string[];

  const eventCount = async () =>
    Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM compliance_events'))[0].n);

  beforeAll(async () => {
    t = await startTestApp({ OUTBOX_POLL_INTERVAL_MS: '200' });
    records = randomRecords(3_000, 20261124, FROM, SPAN_MS);
    const analyst = await t.as('analyst');
    const res = await analyst.post('/compliance/records/bulk').send({ records }).expect(201);
    ids = res.body.ids;
    await waitFor(async () => (await eventCount()) === 3_000, 30_000);
  });
  afterAll(() => t.close());

  const query = (overrides: Partial<AnalyticsQuery>): AnalyticsQuery =>
    Object.assign(
      new AnalyticsQuery(),
      { from: FROM, to: new Date(FROM.getTime() + SPAN_MS), bucket: '1d' },
      overrides,
    );

  it.each([
    ['daily buckets', {}],
    ['hourly buckets', { bucket: '1h' as const }],
    ['one framework, by status', { framework: 'SOC2', groupBy: 'status' as const }],
    ['a partial range of hours', { from: new Date('2026-11-12T05:00:00Z'), to: new Date('2026-11-15T17:00:00Z') }],
  ])('answers the same from the rollup as from raw events on random data: %s', async (_name, overrides) => {
    const analytics = t.app.get(AnalyticsService);
    const fromRollup = await analytics.buckets(query(overrides), 'rollup');
    const fromRaw = await analytics.buckets(query(overrides), 'raw');
    expect(fromRollup.buckets.length).toBeGreaterThan(0);
    expect(fromRollup.buckets).toEqual(fromRaw.buckets);
  });

  it('computes pass rate and average score per day as the records say', async () => {
    const analytics = t.app.get(AnalyticsService);
    const { buckets } = await analytics.buckets(query({}));
    const day = buckets[3];
    const inDay = records.filter((r) => (r.assessedAt as string).slice(0, 10) === day.bucket.slice(0, 10));
    const rated = inDay.filter((r) => r.status !== 'not_applicable');
    expect(day.count).toBe(inDay.length);
    expect(day.passRate).toBeCloseTo(rated.filter((r) => r.status === 'passed').length / rated.length, 4);
    expect(day.averageScore).toBeCloseTo(inDay.reduce((sum, r) => sum + r.score, 0) / inDay.length, 2);
  });

  it('keeps rollup and raw equal after status changes, and records one event per change', async () => {
    const analyst = await t.as('analyst');
    for (const id of ids.slice(0, 20)) {
      await analyst.patch(`/compliance/records/${id}`).set('If-Match', '"1"').send({ status: 'failed' }).expect(200);
    }
    await analyst
      .patch(`/compliance/records/${ids[0]}`)
      .set('If-Match', '"2"')
      .send({ details: { note: 'x' } })
      .expect(200);
    const changed = records.slice(0, 20).filter((r) => r.status !== 'failed').length;
    expect(changed).toBeGreaterThan(0);
    await waitFor(async () => (await eventCount()) === 3_000 + changed, 30_000);
    await t.db.query(`SELECT pg_sleep(0.5)`);
    expect(await eventCount()).toBe(3_000 + changed);
    const analytics = t.app.get(AnalyticsService);
    const fromRollup = await analytics.buckets(query({ groupBy: 'status' }), 'rollup');
    const fromRaw = await analytics.buckets(query({ groupBy: 'status' }), 'raw');
    expect(fromRollup.buckets).toEqual(fromRaw.buckets);
  });

  it('serves whole-hour ranges from the rollup and other ranges from raw events, over HTTP', async () => {
    const auditor = await t.as('auditor');
    const aligned = await auditor
      .get('/compliance/analytics')
      .query({ from: '2026-11-10T00:00:00Z', to: '2026-11-12T00:00:00Z', bucket: '1d' })
      .expect(200);
    expect(aligned.body.source).toBe('rollup');
    const unaligned = await auditor
      .get('/compliance/analytics')
      .query({ from: '2026-11-10T00:30:00Z', to: '2026-11-12T00:00:00Z', bucket: '1d' })
      .expect(200);
    expect(unaligned.body.source).toBe('raw');
    expect(aligned.body.buckets).toHaveLength(2);
  });

  it('summarises records per framework for the dashboard', async () => {
    const auditor = await t.as('auditor');
    const res = await auditor.get('/compliance/analytics/summary').expect(200);
    const total = res.body.frameworks.reduce((sum: number, f: { records: number }) => sum + f.records, 0);
    expect(total).toBe(3_000);
    const gdpr = res.body.frameworks.find((f: { framework: string }) => f.framework === 'GDPR');
    expect(gdpr.records).toBe(records.filter((r) => r.framework === 'GDPR').length);
  });

  it.each([
    ['an unknown bucket', { bucket: '5m' }, 'bucket'],
    ['to before from', { from: '2026-11-12T00:00:00Z', to: '2026-11-10T00:00:00Z' }, 'to'],
    ['a missing from', { from: undefined }, 'from'],
  ])('rejects %s with 400', async (_name, overrides, field) => {
    const auditor = await t.as('auditor');
    const res = await auditor
      .get('/compliance/analytics')
      .query(
        JSON.parse(
          JSON.stringify({ from: '2026-11-10T00:00:00Z', to: '2026-11-12T00:00:00Z', ...overrides }),
        ) as object,
      )
      .expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });
});
