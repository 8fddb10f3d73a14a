import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Frozen here (a migration imports no module code): the names and margin as of this migration. */
const HOURLY_CAGG = 'compliance_events_hourly_cagg';
const DAILY_CAGG = 'compliance_events_daily_cagg';
const REFRESH_BEYOND_RETENTION_DAYS = 2;
const DEFAULT_RETENTION_DAYS = 90;
/** What 1764300002001 set, restored by `down`. */
const FIRST_START_OFFSET = '80 days';
const FIRST_ORDER_BY = 'occurred_at DESC';

/**
 * On the TimescaleDB layout only (elsewhere it does nothing), two changes found on a TimescaleDB
 * 2.28 server:
 *
 * - Both continuous aggregates refresh over the whole retention plus two days (92 days for the
 *   90-day retention), so the app trusts them for every day still kept (`refreshHorizonMs`) and a
 *   90-day range is answered from the daily aggregate instead of raw events. Refreshing past the
 *   retention empties aggregate buckets whose events were dropped: they are past retention too.
 * - Compression: segment by `framework` (every analytics query filters or groups by it, and it has
 *   a handful of values, so batches stay full), order by `occurred_at DESC, source_event_id`: time
 *   first for range queries, then the rest of the primary key, so a redelivered event's uniqueness
 *   check reads only the batches whose min/max cover it. This also answers TimescaleDB's warning
 *   `column "source_event_id" should be used for segmenting or ordering`. Chunks compressed before
 *   keep their settings until recompressed. TimescaleDB 2.13 refuses the change while any chunk is
 *   compressed; there it is skipped and the old settings stay (docs/compliance.md).
 */
export class TuneComplianceEventsTimescalePolicies1765070000000 implements MigrationInterface {
  name = 'TuneComplianceEventsTimescalePolicies1765070000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (!(await this.isHypertable(queryRunner))) return;
    const retentionDays = (await this.retentionDays(queryRunner)) ?? DEFAULT_RETENTION_DAYS;
    await this.setStartOffset(queryRunner, `${retentionDays + REFRESH_BEYOND_RETENTION_DAYS} days`);
    if (await this.canChangeCompression(queryRunner)) {
      await this.setOrderBy(queryRunner, 'occurred_at DESC, source_event_id');
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (!(await this.isHypertable(queryRunner))) return;
    await this.setStartOffset(queryRunner, FIRST_START_OFFSET);
    if (await this.canChangeCompression(queryRunner)) await this.setOrderBy(queryRunner, FIRST_ORDER_BY);
  }

  private async isHypertable(queryRunner: QueryRunner): Promise<boolean> {
    const [extension] = (await queryRunner.query(
      `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') AS installed`,
    )) as { installed: boolean }[];
    if (!extension.installed) return false;
    const [table] = (await queryRunner.query(
      `SELECT EXISTS (SELECT 1 FROM timescaledb_information.hypertables
                      WHERE hypertable_schema = current_schema() AND hypertable_name = 'compliance_events') AS hypertable`,
    )) as { hypertable: boolean }[];
    return table.hypertable;
  }

  private async retentionDays(queryRunner: QueryRunner): Promise<number | undefined> {
    const [row] = (await queryRunner.query(
      `SELECT extract(epoch FROM (config->>'drop_after')::interval)::float8 / 86400 AS days
       FROM timescaledb_information.jobs
       WHERE proc_name = 'policy_retention' AND hypertable_schema = current_schema()
         AND hypertable_name = 'compliance_events'`,
    )) as { days: number | null }[];
    return row?.days ?? undefined;
  }

  /** Through `alter_job`, so each policy keeps its end offset and schedule. */
  private async setStartOffset(queryRunner: QueryRunner, startOffset: string): Promise<void> {
    for (const view of [HOURLY_CAGG, DAILY_CAGG]) {
      await queryRunner.query(
        `SELECT alter_job(job.job_id, config => jsonb_set(job.config, '{start_offset}', to_jsonb($2::text)))
         FROM timescaledb_information.jobs job
         LEFT JOIN timescaledb_information.continuous_aggregates aggregate
           ON aggregate.materialization_hypertable_schema = job.hypertable_schema
          AND aggregate.materialization_hypertable_name = job.hypertable_name
         WHERE job.proc_name = 'policy_refresh_continuous_aggregate'
           AND coalesce(aggregate.view_schema, job.hypertable_schema) = current_schema()
           AND coalesce(aggregate.view_name, job.hypertable_name) = $1`,
        [view, startOffset],
      );
    }
  }

  private async setOrderBy(queryRunner: QueryRunner, orderBy: string): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE compliance_events SET (
        timescaledb.compress,
        timescaledb.compress_segmentby = 'framework',
        timescaledb.compress_orderby = '${orderBy}')`);
  }

  /** Settings became per chunk in 2.14; before, only while no chunk is compressed. */
  private async canChangeCompression(queryRunner: QueryRunner): Promise<boolean> {
    const [row] = (await queryRunner.query(
      `SELECT string_to_array(split_part(extversion, '-', 1), '.')::int[] >= ARRAY[2, 14]
              OR NOT EXISTS (SELECT 1 FROM timescaledb_information.chunks
                             WHERE hypertable_schema = current_schema() AND hypertable_name = 'compliance_events'
                               AND is_compressed) AS "canChange"
       FROM pg_extension WHERE extname = 'timescaledb'`,
    )) as { canChange: boolean }[];
    return row.canChange;
  }
}
