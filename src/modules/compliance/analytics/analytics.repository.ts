import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ReplicaRouter } from '../../../infrastructure/database/replica-router.js';
import { TransactionContext } from '../../../infrastructure/database/transaction-context.js';
import type { AnalyticsQuery } from './dto/analytics.query.js';
import { EVENTS_LAYOUT, type EventAggregate, type EventsLayout, hourlyAggregate } from './layout/events-layout.js';
import { QueryOwner } from '../../../infrastructure/database/query-owner.js';

/** Sums per bucket (and status) before rates are derived; identical in shape from every source. */
export interface BucketSums {
  bucket: Date;
  status: string | null;
  count: string;
  passed: string;
  notApplicable: string;
  scoreSum: string;
}

const RAW = { relation: 'compliance_events', time: 'occurred_at', count: '1', score: 'score' };

/**
 * Bucket sums never gain from JIT, and lose a lot to it when estimates are wrong: over freshly
 * compressed TimescaleDB chunks (no statistics yet) the planner took 250,000 rows per chunk, and
 * a 107 ms query spent 5.5 s compiling.
 */
export const NO_JIT = 'SET LOCAL jit = off';

/**
 * Sums per UTC hour or day from raw events or from an aggregate (whose rows are the same sums per
 * narrower bucket, so re-bucketing them gives the same numbers). Parameters: from, to, framework.
 */
export function bucketSumsSql(
  query: Pick<AnalyticsQuery, 'bucket' | 'groupBy'>,
  source: EventAggregate | 'raw',
): string {
  const { relation, time, count, score } =
    source === 'raw' ? RAW : { relation: source.relation, time: 'bucket', count: 'event_count', score: 'score_sum' };
  const unit = query.bucket === '1h' ? 'hour' : 'day';
  const status = query.groupBy === 'status' ? 'status' : 'NULL::text';
  return `SELECT date_trunc('${unit}', ${time}, 'UTC') AS bucket, ${status} AS status,
              sum(${count})::text AS count,
              coalesce(sum(${count}) FILTER (WHERE status = 'passed'), 0)::text AS passed,
              coalesce(sum(${count}) FILTER (WHERE status = 'not_applicable'), 0)::text AS "notApplicable",
              sum(${score})::text AS "scoreSum"
       FROM ${relation}
       WHERE ${time} >= $1 AND ${time} < $2 AND ($3::text IS NULL OR framework = $3)
       GROUP BY 1, 2 ORDER BY 1, 2`;
}

/** Analytics queries over the layout's aggregates or the raw events, from a replica when one fits. */
@QueryOwner()
@Injectable()
export class AnalyticsRepository {
  constructor(
    private readonly transactions: TransactionContext,
    private readonly replicas: ReplicaRouter,
    @Inject(EVENTS_LAYOUT) private readonly layout: EventsLayout,
  ) {}

  /**
   * In a transaction so that `NO_JIT` applies to this query only: the caller's or one of its own
   * on the primary, or one on a replica when one fits.
   */
  async sums(query: AnalyticsQuery, source: EventAggregate | 'raw'): Promise<BucketSums[]> {
    const sums = async (manager: EntityManager) => {
      await manager.query(NO_JIT);
      return manager.query(bucketSumsSql(query, source), [query.from, query.to, query.framework ?? null]);
    };
    const reader = await this.replicas.reader();
    return reader === this.transactions.manager ? this.transactions.run(sums) : reader.transaction(sums);
  }

  async recordCounts(): Promise<{ framework: string; status: string; records: string; scoreSum: string }[]> {
    return (await this.replicas.reader()).query(
      `SELECT framework, status, count(*)::text AS records, sum(score)::text AS "scoreSum"
       FROM compliance_records WHERE deleted_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2`,
    );
  }

  async eventCountsSince(since: Date): Promise<{ framework: string; events: string }[]> {
    return (await this.replicas.reader()).query(
      `SELECT framework, sum(event_count)::text AS events FROM ${hourlyAggregate(this.layout).relation}
       WHERE bucket >= $1 GROUP BY 1`,
      [since],
    );
  }
}
