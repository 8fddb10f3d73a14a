import { DataSource, type EntityManager } from 'typeorm';
import type { ReplicaRouter } from '../../../src/infrastructure/database/replica-router';
import type { TransactionContext } from '../../../src/infrastructure/database/transaction-context';
import { AnalyticsRepository, bucketSumsSql } from '../../../src/modules/compliance/analytics/analytics.repository';
import { AnalyticsService } from '../../../src/modules/compliance/analytics/analytics.service';
import { ComplianceEventsRepository } from '../../../src/modules/compliance/analytics/compliance-events.repository';
import { AnalyticsQuery } from '../../../src/modules/compliance/analytics/dto/analytics.query';
import { EVENTS_LAYOUT, type EventsLayout } from '../../../src/modules/compliance/analytics/layout/events-layout';
import { startTestApp, TestApp } from '../../support/app';
import { randomEvents } from '../../support/builders/compliance-event.builder';

const FROM = new Date('2026-11-10T00:00:00Z');
const DAY_MS = 86_400_000;
const query = (overrides: Partial<AnalyticsQuery> = {}): AnalyticsQuery =>
  Object.assign(
    new AnalyticsQuery(),
    { from: FROM, to: new Date(FROM.getTime() + 10 * DAY_MS), bucket: '1d' },
    overrides,
  );

interface Plan {
  Plan: Record<string, unknown>;
  JIT?: { Functions: number };
}

/**
 * Stands in for `TransactionContext`: a real transaction in which the planner JIT-compiles
 * everything (`jit_above_cost = 0`, as a 250,000-rows-per-chunk estimate made it do), where the
 * repository's own statements run unchanged except its bucket query, which is EXPLAINed instead.
 */
function explainingTransactions(dataSource: DataSource, plans: Plan[]) {
  const explaining = (manager: EntityManager) =>
    new Proxy(manager, {
      get: (target, property, receiver) =>
        property !== 'query'
          ? Reflect.get(target, property, receiver)
          : async (sql: string, parameters?: unknown[]) => {
              if (!sql.startsWith('SELECT date_trunc')) return target.query(sql, parameters);
              const [row] = await target.query<{ 'QUERY PLAN': Plan[] }[]>(
                `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
                parameters,
              );
              plans.push(row['QUERY PLAN'][0]);
              return [];
            },
    });
  return {
    manager: dataSource.manager,
    run: <T>(work: (manager: EntityManager) => Promise<T>) =>
      dataSource.transaction(async (manager) => {
        await manager.query('SET LOCAL jit_above_cost = 0');
        return work(explaining(manager));
      }),
  } as unknown as TransactionContext;
}

describe('analytics queries (on whichever layout TEST_DATABASE_URL gives)', () => {
  let t: TestApp;
  let layout: EventsLayout;

  beforeAll(async () => {
    t = await startTestApp();
    layout = t.app.get<EventsLayout>(EVENTS_LAYOUT);
    const events = t.app.get(ComplianceEventsRepository);
    // Four GDPR events averaging exactly 71.475 in the first hour, then random ones after it.
    await events.record(
      [71.47, 71.48, 71.47, 71.48].map((score, i) => ({
        sourceEventId: String(i + 1),
        recordId: '00000000-0000-4000-8000-000000000001',
        framework: 'GDPR',
        status: i === 0 ? 'passed' : 'failed',
        score,
        occurredAt: new Date(FROM.getTime() + i * 60_000).toISOString(),
      })),
    );
    await events.record(
      randomEvents(3_000, 20261202, new Date(FROM.getTime() + 3_600_000), 10 * DAY_MS - 3_600_000, 100),
    );
  });
  afterAll(() => t.close());

  /** What Postgres itself answers, rounding in numeric. */
  const direct = (bucket: 'hour' | 'day', framework: string | null) =>
    t.db.query<{ bucket: Date; count: number; passRate: string | null; averageScore: string }>(
      `SELECT date_trunc('${bucket}', occurred_at, 'UTC') AS bucket, count(*)::int AS count,
              round(count(*) FILTER (WHERE status = 'passed')::numeric
                    / nullif(count(*) FILTER (WHERE status <> 'not_applicable'), 0), 4)::text AS "passRate",
              round(avg(score), 2)::text AS "averageScore"
       FROM compliance_events WHERE occurred_at >= $1 AND occurred_at < $2 AND ($3::text IS NULL OR framework = $3)
       GROUP BY 1 ORDER BY 1`,
      [FROM, new Date(FROM.getTime() + 10 * DAY_MS), framework],
    );

  it.each([
    ['raw events', 'raw' as const],
    ['the hourly aggregate', 'rollup' as const],
  ])('rounds averages and pass rates as Postgres does, from %s (71.475 is 71.48)', async (_name, source) => {
    const analytics = t.app.get(AnalyticsService);
    const first = await analytics.buckets(
      query({ to: new Date(FROM.getTime() + 3_600_000), bucket: '1h', framework: 'GDPR' }),
      source,
    );
    expect(first.buckets).toEqual([{ bucket: FROM.toISOString(), count: 4, passRate: 0.25, averageScore: 71.48 }]);
    for (const [bucket, framework] of [
      ['day', null],
      ['hour', 'SOC2'],
    ] as const) {
      const answer = await analytics.buckets(
        query({ bucket: bucket === 'day' ? '1d' : '1h', framework: framework ?? undefined }),
        source,
      );
      const expected = (await direct(bucket, framework)).map((row) => ({
        bucket: row.bucket.toISOString(),
        count: row.count,
        passRate: row.passRate === null ? null : Number(row.passRate),
        averageScore: Number(row.averageScore),
      }));
      expect(expected.length).toBeGreaterThan(9);
      expect(answer.buckets).toEqual(expected);
    }
  });

  it('plans bucket sums without JIT, even where the planner would compile them', async () => {
    const dataSource = t.app.get(DataSource);
    const [{ available }] = await t.db.query<{ available: boolean }>('SELECT pg_jit_available() AS available');
    const plans: Plan[] = [];
    const transactions = explainingTransactions(dataSource, plans);
    await transactions.run((manager) => manager.query(bucketSumsSql(query(), 'raw'), [query().from, query().to, null]));
    // Without the repository's setting the planner does compile it, wherever Postgres has LLVM.
    expect(plans[0].JIT !== undefined).toBe(available);

    const primaryOnly = { reader: async () => dataSource.manager } as unknown as ReplicaRouter;
    const repository = new AnalyticsRepository(transactions, primaryOnly, layout);
    for (const source of ['raw' as const, ...layout.aggregates]) await repository.sums(query({ bucket: '1h' }), source);
    expect(plans).toHaveLength(1 + 1 + layout.aggregates.length);
    expect(plans.slice(1).filter((plan) => plan.JIT)).toEqual([]);
  });
});
