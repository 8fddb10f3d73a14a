/**
 * The TimescaleDB layout of the time series, written against the documented API (TimescaleDB
 * ≥ 2.13: `by_range`, hierarchical continuous aggregates). It replaces the native partitioning,
 * partition job and incrementally maintained rollup: a hypertable with 1-day chunks, compression
 * after 7 days, retention of 90 days, and continuous aggregates per hour and per day.
 * Not wired into the migrations on this branch; see docs/compliance.md.
 */
export const TIMESCALE_LAYOUT_UP = [
  `CREATE EXTENSION IF NOT EXISTS timescaledb`,
  `CREATE TABLE compliance_events (
     source_event_id  bigint NOT NULL,
     record_id        uuid NOT NULL,
     framework        text NOT NULL,
     status           text NOT NULL,
     score            numeric(5, 2) NOT NULL,
     occurred_at      timestamptz NOT NULL,
     PRIMARY KEY (source_event_id, occurred_at))`,
  `SELECT create_hypertable('compliance_events', by_range('occurred_at', INTERVAL '1 day'))`,
  `ALTER TABLE compliance_events SET (
     timescaledb.compress,
     timescaledb.compress_segmentby = 'framework',
     timescaledb.compress_orderby = 'occurred_at DESC')`,
  `SELECT add_compression_policy('compliance_events', INTERVAL '7 days')`,
  `SELECT add_retention_policy('compliance_events', INTERVAL '90 days')`,
  `CREATE MATERIALIZED VIEW compliance_events_hourly_cagg WITH (timescaledb.continuous) AS
     SELECT time_bucket(INTERVAL '1 hour', occurred_at) AS bucket, framework, status,
            count(*) AS event_count, sum(score) AS score_sum
     FROM compliance_events GROUP BY 1, 2, 3 WITH NO DATA`,
  `SELECT add_continuous_aggregate_policy('compliance_events_hourly_cagg',
     start_offset => INTERVAL '3 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '30 minutes')`,
  `CREATE MATERIALIZED VIEW compliance_events_daily_cagg WITH (timescaledb.continuous) AS
     SELECT time_bucket(INTERVAL '1 day', bucket) AS bucket, framework, status,
            sum(event_count) AS event_count, sum(score_sum) AS score_sum
     FROM compliance_events_hourly_cagg GROUP BY 1, 2, 3 WITH NO DATA`,
  `SELECT add_continuous_aggregate_policy('compliance_events_daily_cagg',
     start_offset => INTERVAL '4 days', end_offset => INTERVAL '1 day', schedule_interval => INTERVAL '1 hour')`,
];

export const TIMESCALE_LAYOUT_DOWN = [
  `DROP MATERIALIZED VIEW compliance_events_daily_cagg`,
  `DROP MATERIALIZED VIEW compliance_events_hourly_cagg`,
  `DROP TABLE compliance_events`,
];

/** The extension must be installed and preloaded; `CREATE EXTENSION` fails otherwise. */
export async function timescaleAvailable(database: { query(sql: string): Promise<unknown> }): Promise<boolean> {
  const [row] = (await database.query(
    `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
            AND current_setting('shared_preload_libraries') LIKE '%timescaledb%' AS available`,
  )) as { available: boolean }[];
  return row?.available === true;
}
