import { Injectable } from '@nestjs/common';
import { TransactionContext } from '../../../infrastructure/database/transaction-context.js';

export interface ComplianceEventRow {
  sourceEventId: string;
  recordId: string;
  framework: string;
  status: string;
  score: number;
  occurredAt: string;
}

/**
 * Writes events and the hourly rollup in one statement: only rows actually inserted (not those
 * already there from an earlier delivery) are added to the rollup, so a redelivery changes nothing.
 */
@Injectable()
export class ComplianceEventsRepository {
  constructor(private readonly transactions: TransactionContext) {}

  async record(rows: ComplianceEventRow[]): Promise<void> {
    if (!rows.length) return;
    await this.transactions.manager.query(
      `WITH inserted AS (
         INSERT INTO compliance_events (source_event_id, record_id, framework, status, score, occurred_at)
         SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::numeric[], $6::timestamptz[])
         ON CONFLICT DO NOTHING
         RETURNING framework, status, score, occurred_at)
       INSERT INTO compliance_events_hourly AS hourly (bucket, framework, status, event_count, score_sum)
       SELECT date_trunc('hour', occurred_at, 'UTC'), framework, status, count(*), sum(score)
       FROM inserted GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
       ON CONFLICT (bucket, framework, status) DO UPDATE
         SET event_count = hourly.event_count + excluded.event_count, score_sum = hourly.score_sum + excluded.score_sum`,
      [
        rows.map((row) => row.sourceEventId),
        rows.map((row) => row.recordId),
        rows.map((row) => row.framework),
        rows.map((row) => row.status),
        rows.map((row) => row.score),
        rows.map((row) => row.occurredAt),
      ],
    );
  }
}
