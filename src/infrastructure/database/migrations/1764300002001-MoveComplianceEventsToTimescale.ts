import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = 'source_event_id, record_id, framework, status, score, occurred_at';

/** Anything that runs SQL (a query runner, a data source). */
interface Queryable {
  query(sql: string): Promise<unknown>;
}

/**
 * The extension must be preloaded, and either already created in this database or creatable by
 * this role (superuser, or a trusted extension and CREATE on the database); otherwise the
 * migration leaves the native layout instead of failing the boot.
 */
export async function timescaleAvailable(db: Queryable): Promise<boolean> {
  const [row] = (await db.query(
    `SELECT current_setting('shared_preload_libraries') LIKE '%timescaledb%'
            AND (EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')
                 OR EXISTS (SELECT 1 FROM pg_available_extension_versions version
                            WHERE version.name = 'timescaledb'
                              AND ((SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                                   OR (version.trusted AND has_database_privilege(current_database(), 'CREATE')))))
            AS available`,
  )) as { available: boolean }[];
  return row?.available === true;
}

/** Whether `compliance_events` is already a hypertable (the extension's views exist only once it is installed). */
async function isHypertable(db: Queryable): Promise<boolean> {
  const [extension] = (await db.query(
    `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') AS installed`,
  )) as { installed: boolean }[];
  if (!extension.installed) return false;
  const [table] = (await db.query(
    `SELECT EXISTS (SELECT 1 FROM timescaledb_information.hypertables
                    WHERE hypertable_schema = current_schema() AND hypertable_name = 'compliance_events') AS hypertable`,
  )) as { hypertable: boolean }[];
  return table.hypertable;
}

/**
 * Where TimescaleDB is available (see `timescaleAvailable`), replaces the native layout of
 * `compliance_events` (daily partitions + incrementally maintained hourly rollup) with a hypertable
 * (1-day chunks, compressed after 7 days, dropped after 90) and real-time continuous aggregates per
 * hour and per day, keeping every event. Elsewhere, and on a database already converted, it does
 * nothing. Written against TimescaleDB ≥ 2.13's documented API (`by_range`, the compression
 * settings that 2.18 renamed to columnstore but still accepts); run only on TimescaleDB 2.23 in
 * PGlite (docs/compliance.md), never on a TimescaleDB server.
 *
 * One transaction: the native table is set aside under another name, the hypertable is created,
 * the rows are copied, then the native table, its partitions and the rollup are dropped. The
 * aggregates start empty (`WITH NO DATA` is allowed in a transaction, a refresh is not); until the
 * policies first refresh them, real-time aggregation answers from the raw events.
 */
export class MoveComplianceEventsToTimescale1764300002001 implements MigrationInterface {
  name = 'MoveComplianceEventsToTimescale1764300002001';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (!(await timescaleAvailable(queryRunner))) return;
    if (await isHypertable(queryRunner)) return;
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS timescaledb`);
    await queryRunner.query(`ALTER TABLE compliance_events RENAME TO compliance_events_native`);
    await queryRunner.query(`ALTER INDEX compliance_events_pkey RENAME TO compliance_events_native_pkey`);
    await queryRunner.query(
      `ALTER INDEX idx_compliance_events_occurred_framework RENAME TO idx_compliance_events_native_occurred_framework`,
    );
    await queryRunner.query(`
      CREATE TABLE compliance_events (
        source_event_id  bigint NOT NULL,
        record_id        uuid NOT NULL,
        framework        text NOT NULL,
        status           text NOT NULL,
        score            numeric(5, 2) NOT NULL,
        occurred_at      timestamptz NOT NULL,
        PRIMARY KEY (source_event_id, occurred_at)
      )`);
    await queryRunner.query(
      `SELECT create_hypertable('compliance_events', by_range('occurred_at', INTERVAL '1 day'), create_default_indexes => FALSE)`,
    );
    await queryRunner.query(
      `INSERT INTO compliance_events (${COLUMNS}) SELECT ${COLUMNS} FROM compliance_events_native ORDER BY occurred_at`,
    );
    await queryRunner.query(`DROP TABLE compliance_events_native`);
    await queryRunner.query(`DROP TABLE compliance_events_hourly`);
    await queryRunner.query(
      `CREATE INDEX idx_compliance_events_occurred_framework ON compliance_events (occurred_at, framework)`,
    );
    await queryRunner.query(`
      ALTER TABLE compliance_events SET (
        timescaledb.compress,
        timescaledb.compress_segmentby = 'framework',
        timescaledb.compress_orderby = 'occurred_at DESC')`);
    await queryRunner.query(`SELECT add_compression_policy('compliance_events', INTERVAL '7 days')`);
    await queryRunner.query(`SELECT add_retention_policy('compliance_events', INTERVAL '90 days')`);

    // time_bucket on timestamptz aligns hours and days to UTC midnight, as date_trunc(…, 'UTC') does natively.
    await queryRunner.query(`
      CREATE MATERIALIZED VIEW compliance_events_hourly_cagg
      WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
      SELECT time_bucket(INTERVAL '1 hour', occurred_at) AS bucket, framework, status,
             count(*) AS event_count, sum(score) AS score_sum
      FROM compliance_events GROUP BY 1, 2, 3
      WITH NO DATA`);
    // The window reaches back further than the app trusts it (see refreshHorizonMs) and stays
    // inside retention, so a refresh never empties buckets whose events were dropped.
    await queryRunner.query(`
      SELECT add_continuous_aggregate_policy('compliance_events_hourly_cagg',
        start_offset => INTERVAL '80 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '10 minutes')`);
    await queryRunner.query(`SELECT add_retention_policy('compliance_events_hourly_cagg', INTERVAL '90 days')`);
    await queryRunner.query(`
      CREATE MATERIALIZED VIEW compliance_events_daily_cagg
      WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
      SELECT time_bucket(INTERVAL '1 day', bucket) AS bucket, framework, status,
             sum(event_count) AS event_count, sum(score_sum) AS score_sum
      FROM compliance_events_hourly_cagg GROUP BY 1, 2, 3
      WITH NO DATA`);
    await queryRunner.query(`
      SELECT add_continuous_aggregate_policy('compliance_events_daily_cagg',
        start_offset => INTERVAL '80 days', end_offset => INTERVAL '1 day', schedule_interval => INTERVAL '30 minutes')`);
    await queryRunner.query(`SELECT add_retention_policy('compliance_events_daily_cagg', INTERVAL '90 days')`);
  }

  /**
   * Back to the native layout of 1764300002000 with every event (the rows go to the default
   * partition; the partition job moves them into daily partitions at the next boot) and the rollup
   * rebuilt from them. The extension stays: it may predate this migration or serve other tables.
   */
  async down(queryRunner: QueryRunner): Promise<void> {
    if (!(await isHypertable(queryRunner))) return;
    await queryRunner.query(`CREATE TEMP TABLE compliance_events_copy AS SELECT ${COLUMNS} FROM compliance_events`);
    await queryRunner.query(`DROP MATERIALIZED VIEW compliance_events_daily_cagg`);
    await queryRunner.query(`DROP MATERIALIZED VIEW compliance_events_hourly_cagg`);
    await queryRunner.query(`DROP TABLE compliance_events`);
    await queryRunner.query(`
      CREATE TABLE compliance_events (
        source_event_id  bigint NOT NULL,
        record_id        uuid NOT NULL,
        framework        text NOT NULL,
        status           text NOT NULL,
        score            numeric(5, 2) NOT NULL,
        occurred_at      timestamptz NOT NULL,
        PRIMARY KEY (source_event_id, occurred_at)
      ) PARTITION BY RANGE (occurred_at)`);
    await queryRunner.query(`CREATE TABLE compliance_events_default PARTITION OF compliance_events DEFAULT`);
    await queryRunner.query(
      `CREATE INDEX idx_compliance_events_occurred_framework ON compliance_events (occurred_at, framework)`,
    );
    await queryRunner.query(`
      CREATE TABLE compliance_events_hourly (
        bucket       timestamptz NOT NULL,
        framework    text NOT NULL,
        status       text NOT NULL,
        event_count  bigint NOT NULL,
        score_sum    numeric NOT NULL,
        PRIMARY KEY (bucket, framework, status)
      )`);
    await queryRunner.query(`INSERT INTO compliance_events (${COLUMNS}) SELECT ${COLUMNS} FROM compliance_events_copy`);
    await queryRunner.query(`
      INSERT INTO compliance_events_hourly (bucket, framework, status, event_count, score_sum)
      SELECT date_trunc('hour', occurred_at, 'UTC'), framework, status, count(*), sum(score)
      FROM compliance_events GROUP BY 1, 2, 3`);
    await queryRunner.query(`DROP TABLE compliance_events_copy`);
  }
}
