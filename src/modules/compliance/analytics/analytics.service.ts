import { Inject, Injectable } from '@nestjs/common';
import { ValidationProblem } from '../../../common/problem.js';
import { RECORD_STATUSES } from '../records/record-status.js';
import { AnalyticsRepository, BucketSums } from './analytics.repository.js';
import type { AnalyticsQuery } from './dto/analytics.query.js';
import { AnalyticsBucket, AnalyticsResponse, AnalyticsSummary } from './dto/analytics.response.js';
import { roundedRatio, sumDecimals } from './exact-ratio.js';
import {
  EVENTS_LAYOUT,
  type EventAggregate,
  type EventsLayout,
  hourlyAggregate,
  pickAggregate,
} from './layout/events-layout.js';

const HOUR_MS = 3_600_000;
const MAX_RANGE_DAYS = 400;

/**
 * Rates derived from sums the same way for both sources, so rollup and raw answer identically, and
 * rounded exactly (numeric sums, integer arithmetic), so they equal Postgres' `round(avg(score), 2)`.
 */
export function toBucket(sums: BucketSums): AnalyticsBucket {
  const count = Number(sums.count);
  const rated = count - Number(sums.notApplicable);
  return {
    bucket: new Date(sums.bucket).toISOString(),
    ...(sums.status === null ? {} : { status: sums.status }),
    count,
    passRate: rated > 0 ? roundedRatio(sums.passed, rated, 4) : null,
    averageScore: roundedRatio(sums.scoreSum, count, 2),
  };
}

@Injectable()
export class AnalyticsService {
  constructor(
    private readonly analytics: AnalyticsRepository,
    @Inject(EVENTS_LAYOUT) private readonly layout: EventsLayout,
  ) {}

  /**
   * From the coarsest aggregate that covers the range exactly (see `pickAggregate`), raw events
   * otherwise. `force` is for tests: 'rollup' reads the hourly aggregate even where none covers.
   */
  async buckets(query: AnalyticsQuery, force?: 'rollup' | 'raw', now = new Date()): Promise<AnalyticsResponse> {
    if (query.to <= query.from) {
      throw new ValidationProblem([{ field: 'to', messages: ['to must be after from'] }]);
    }
    if (query.to.getTime() - query.from.getTime() > MAX_RANGE_DAYS * 24 * HOUR_MS) {
      throw new ValidationProblem([{ field: 'to', messages: [`the range must not exceed ${MAX_RANGE_DAYS} days`] }]);
    }
    const source = this.sourceFor(query, force, now);
    const sums = await this.analytics.sums(query, source);
    return { source: source === 'raw' ? 'raw' : 'rollup', buckets: sums.map(toBucket) };
  }

  private sourceFor(query: AnalyticsQuery, force: 'rollup' | 'raw' | undefined, now: Date): EventAggregate | 'raw' {
    if (force === 'raw') return 'raw';
    const covering = pickAggregate(this.layout.aggregates, query, now);
    if (covering) return covering;
    return force === 'rollup' ? hourlyAggregate(this.layout) : 'raw';
  }

  async summary(now = new Date()): Promise<AnalyticsSummary> {
    const [records, events] = await Promise.all([
      this.analytics.recordCounts(),
      this.analytics.eventCountsSince(new Date(now.getTime() - 7 * 24 * HOUR_MS)),
    ]);
    const frameworks = [
      ...new Set([...records.map((row) => row.framework), ...events.map((row) => row.framework)]),
    ].sort();
    return {
      generatedAt: now.toISOString(),
      frameworks: frameworks.map((framework) => {
        const rows = records.filter((row) => row.framework === framework);
        const byStatus = Object.fromEntries(RECORD_STATUSES.map((status) => [status, 0]));
        for (const row of rows) byStatus[row.status] = Number(row.records);
        const total = rows.reduce((sum, row) => sum + Number(row.records), 0);
        const rated = total - byStatus.not_applicable;
        const scoreSum = sumDecimals(rows.map((row) => row.scoreSum));
        return {
          framework,
          records: total,
          byStatus,
          passRate: rated > 0 ? roundedRatio(byStatus.passed, rated, 4) : null,
          averageScore: total > 0 ? roundedRatio(scoreSum, total, 2) : null,
          eventsLast7Days: Number(events.find((row) => row.framework === framework)?.events ?? 0),
        };
      }),
    };
  }
}
