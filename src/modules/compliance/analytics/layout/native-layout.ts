import type { EventsLayout } from './events-layout.js';

/**
 * Plain Postgres: `compliance_events` partitioned by UTC day (kept by `EventPartitionsJob`) and the
 * `compliance_events_hourly` rollup, written by the same statement that inserts events: only rows
 * actually inserted (not those already there from an earlier delivery) are added to it, so a
 * redelivery changes nothing and the rollup always equals the events.
 */
export const NATIVE_LAYOUT: EventsLayout = {
  kind: 'native',
  aggregates: [{ relation: 'compliance_events_hourly', granularity: '1h', horizonMs: Infinity }],
  insertEvents: `
    WITH inserted AS (
      INSERT INTO compliance_events (source_event_id, record_id, framework, status, score, occurred_at)
      SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::numeric[], $6::timestamptz[])
      ON CONFLICT DO NOTHING
      RETURNING framework, status, score, occurred_at)
    INSERT INTO compliance_events_hourly AS hourly (bucket, framework, status, event_count, score_sum)
    SELECT date_trunc('hour', occurred_at, 'UTC'), framework, status, count(*), sum(score)
    FROM inserted GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (bucket, framework, status) DO UPDATE
      SET event_count = hourly.event_count + excluded.event_count, score_sum = hourly.score_sum + excluded.score_sum`,
};
