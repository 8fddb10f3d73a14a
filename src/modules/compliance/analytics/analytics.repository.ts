import { Injectable } from '@nestjs/common';
import { TransactionContext } from '../../../infrastructure/database/transaction-context.js';
import type { AnalyticsQuery } from './dto/analytics.query.js';

/** Sums per bucket (and status) before rates are derived; identical in shape from both sources. */
export interface BucketSums {
  bucket: Date;
  status: string | null;
  count: string;
  passed: string;
  notApplicable: string;
  scoreSum: string;
}

const SOURCES = {
  rollup: { table: 'compliance_events_hourly', time: 'bucket', count: 'event_count', score: 'score_sum' },
  raw: { table: 'compliance_events', time: 'occurred_at', count: '1', score: 'score' },
} as const;

/** Analytics queries over the hourly rollup or the raw events. */
@Injectable()
export class AnalyticsRepository {
  constructor(private readonly transactions: TransactionContext) {}

  sums(query: AnalyticsQuery, source: keyof typeof SOURCES): Promise<BucketSums[]> {
    const { table, time, count, score } = SOURCES[source];
    const unit = query.bucket === '1h' ? 'hour' : 'day';
    const status = query.groupBy === 'status' ? 'status' : 'NULL::text';
    return this.transactions.manager.query(
      `SELECT date_trunc('${unit}', ${time}, 'UTC') AS bucket, ${status} AS status,
              sum(${count})::text AS count,
              coalesce(sum(${count}) FILTER (WHERE status = 'passed'), 0)::text AS passed,
              coalesce(sum(${count}) FILTER (WHERE status = 'not_applicable'), 0)::text AS "notApplicable",
              sum(${score})::text AS "scoreSum"
       FROM ${table}
       WHERE ${time} >= $1 AND ${time} < $2 AND ($3::text IS NULL OR framework = $3)
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [query.from, query.to, query.framework ?? null],
    );
  }

  recordCounts(): Promise<{ framework: string; status: string; records: string; scoreSum: string }[]> {
    return this.transactions.manager.query(
      `SELECT framework, status, count(*)::text AS records, sum(score)::text AS "scoreSum"
       FROM compliance_records WHERE deleted_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2`,
    );
  }

  eventCountsSince(since: Date): Promise<{ framework: string; events: string }[]> {
    return this.transactions.manager.query(
      `SELECT framework, sum(event_count)::text AS events FROM compliance_events_hourly WHERE bucket >= $1 GROUP BY 1`,
      [since],
    );
  }
}
