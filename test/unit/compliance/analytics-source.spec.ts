import { AnalyticsRepository, bucketSumsSql } from '../../../src/modules/compliance/analytics/analytics.repository';
import { AnalyticsService } from '../../../src/modules/compliance/analytics/analytics.service';
import { AnalyticsQuery } from '../../../src/modules/compliance/analytics/dto/analytics.query';
import { type EventAggregate, pickAggregate } from '../../../src/modules/compliance/analytics/layout/events-layout';
import { NATIVE_LAYOUT } from '../../../src/modules/compliance/analytics/layout/native-layout';
import {
  DAILY_CAGG,
  HOURLY_CAGG,
  timescaleLayout,
} from '../../../src/modules/compliance/analytics/layout/timescale-layout';

const DAY_MS = 86_400_000;
const NOW = new Date('2026-11-24T12:34:00Z');
const at = (iso: string) => new Date(iso);
const query = (overrides: Partial<AnalyticsQuery>): AnalyticsQuery =>
  Object.assign(
    new AnalyticsQuery(),
    { from: at('2026-11-10T00:00:00Z'), to: at('2026-11-20T00:00:00Z'), bucket: '1d' },
    overrides,
  );
const TIMESCALE = {
  ...timescaleLayout([]),
  aggregates: [
    { relation: DAILY_CAGG, granularity: '1d' as const, horizonMs: 79 * DAY_MS },
    { relation: HOURLY_CAGG, granularity: '1h' as const, horizonMs: 79 * DAY_MS },
  ],
};

describe('which aggregate answers a range', () => {
  it.each([
    ['native, whole hours', NATIVE_LAYOUT, { from: at('2026-11-10T05:00:00Z') }, 'compliance_events_hourly'],
    ['native, not on an hour', NATIVE_LAYOUT, { from: at('2026-11-10T05:30:00Z') }, undefined],
    [
      'native, years back (the rollup has no horizon)',
      NATIVE_LAYOUT,
      { from: at('2020-01-01T00:00:00Z') },
      'compliance_events_hourly',
    ],
    ['timescale, whole days by day', TIMESCALE, {}, DAILY_CAGG],
    ['timescale, whole days by hour', TIMESCALE, { bucket: '1h' as const }, HOURLY_CAGG],
    ['timescale, whole hours by day', TIMESCALE, { to: at('2026-11-19T18:00:00Z') }, HOURLY_CAGG],
    ['timescale, not on an hour', TIMESCALE, { from: at('2026-11-10T00:00:01Z') }, undefined],
    ['timescale, older than the refresh horizon', TIMESCALE, { from: at('2026-09-01T00:00:00Z') }, undefined],
  ])('%s', (_name, layout, overrides, relation) => {
    expect(pickAggregate(layout.aggregates, query(overrides), NOW)?.relation).toBe(relation);
  });
});

describe('AnalyticsService source selection', () => {
  function service(layout: typeof NATIVE_LAYOUT) {
    const sources: (EventAggregate | 'raw')[] = [];
    const repository = {
      sums: (_query: AnalyticsQuery, source: EventAggregate | 'raw') => {
        sources.push(source);
        return Promise.resolve([]);
      },
    } as unknown as AnalyticsRepository;
    return { analytics: new AnalyticsService(repository, layout), sources };
  }
  const relations = (sources: (EventAggregate | 'raw')[]) => sources.map((s) => (s === 'raw' ? s : s.relation));

  it('reads the covering aggregate, raw events where none covers, and says which', async () => {
    const { analytics, sources } = service(TIMESCALE);
    expect((await analytics.buckets(query({}), undefined, NOW)).source).toBe('rollup');
    expect((await analytics.buckets(query({ from: at('2026-11-10T00:30:00Z') }), undefined, NOW)).source).toBe('raw');
    expect(relations(sources)).toEqual([DAILY_CAGG, 'raw']);
  });

  it('reads raw events or the hourly aggregate when a test forces them, whatever covers the range', async () => {
    const { analytics, sources } = service(TIMESCALE);
    await analytics.buckets(query({}), 'raw', NOW);
    await analytics.buckets(query({ from: at('2026-11-10T00:30:00Z') }), 'rollup', NOW);
    await analytics.buckets(query({}), 'rollup', NOW);
    expect(relations(sources)).toEqual(['raw', HOURLY_CAGG, DAILY_CAGG]);
  });
});

describe('bucket sums SQL', () => {
  const normalized = (sql: string) => sql.replace(/\s+/g, ' ');

  it('sums raw events one per row, by UTC hour or day', () => {
    const sql = normalized(bucketSumsSql({ bucket: '1h' }, 'raw'));
    expect(sql).toContain(`date_trunc('hour', occurred_at, 'UTC') AS bucket, NULL::text AS status`);
    expect(sql).toContain('sum(1)::text AS count');
    expect(sql).toContain('sum(score)::text AS "scoreSum" FROM compliance_events WHERE occurred_at >= $1');
  });

  it('re-buckets an aggregate by its counts and score sums, grouped by status when asked', () => {
    const sql = normalized(bucketSumsSql({ bucket: '1d', groupBy: 'status' }, TIMESCALE.aggregates[0]));
    expect(sql).toContain(`date_trunc('day', bucket, 'UTC') AS bucket, status AS status`);
    expect(sql).toContain('sum(event_count)::text AS count');
    expect(sql).toContain(`sum(score_sum)::text AS "scoreSum" FROM ${DAILY_CAGG} WHERE bucket >= $1 AND bucket < $2`);
  });
});
