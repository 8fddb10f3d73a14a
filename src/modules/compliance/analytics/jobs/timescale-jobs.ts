import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Queryable } from '../layout/events-layout.js';
import { DAILY_CAGG, HOURLY_CAGG } from '../layout/timescale-layout.js';
import type { PolicyJobStats } from './policy-job-health.js';

const LOCK = `hashtext('compliance_events_timescale_maintenance')`;
/** Compression adds about one chunk a day; the first run after an outage may find many more. */
const ANALYZE_LIMIT = 50;

/** TimescaleDB's jobs and chunks of `compliance_events`, for the app's maintenance job. */
@Injectable()
export class TimescaleJobs {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The app's policy jobs with their last outcome. Like `timescalePolicies`, covers both ways
   * releases name an aggregate's jobs; `-infinity` (never succeeded) reads as null.
   */
  stats(db: Queryable = this.dataSource): Promise<PolicyJobStats[]> {
    return db.query(
      `SELECT job.job_id AS "jobId", coalesce(aggregate.view_name, job.hypertable_name)::text AS relation,
              job.proc_name::text AS kind, extract(epoch FROM job.schedule_interval)::float8 AS "scheduleIntervalSeconds",
              job.scheduled, stats.last_run_status AS "lastRunStatus",
              nullif(stats.last_successful_finish, '-infinity') AS "lastSuccessAt",
              coalesce(stats.total_failures, 0)::int AS "totalFailures",
              error.sqlerrcode AS "lastErrorCode", error.err_message AS "lastErrorMessage"
       FROM timescaledb_information.jobs job
       LEFT JOIN timescaledb_information.job_stats stats ON stats.job_id = job.job_id
       LEFT JOIN timescaledb_information.continuous_aggregates aggregate
         ON aggregate.materialization_hypertable_schema = job.hypertable_schema
        AND aggregate.materialization_hypertable_name = job.hypertable_name
       LEFT JOIN LATERAL (SELECT sqlerrcode, err_message FROM timescaledb_information.job_errors errors
                          WHERE errors.job_id = job.job_id ORDER BY errors.start_time DESC LIMIT 1) error
         ON stats.last_run_status = 'Failed'
       WHERE job.proc_name IN ('policy_compression', 'policy_retention', 'policy_refresh_continuous_aggregate')
         AND coalesce(aggregate.view_schema, job.hypertable_schema) = current_schema()
         AND coalesce(aggregate.view_name, job.hypertable_name) IN ('compliance_events', $1, $2)
       ORDER BY 1`,
      [HOURLY_CAGG, DAILY_CAGG],
    ) as Promise<PolicyJobStats[]>;
  }

  /**
   * Runs `work` on one connection holding a session advisory lock (not a transaction: a refresh
   * cannot run inside one), so replicas never run the same jobs at once. Undefined when another
   * replica holds it.
   */
  async exclusively<T>(work: (db: Queryable) => Promise<T>): Promise<T | undefined> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock(${LOCK}) AS locked`)) as {
        locked: boolean;
      }[];
      if (!locked) return undefined;
      try {
        return await work(runner);
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(${LOCK})`);
      }
    } finally {
      await runner.release();
    }
  }

  /** Simple protocol (the id is an integer from the catalog): procedures that commit need a top-level CALL. */
  async run(db: Queryable, jobId: number): Promise<void> {
    if (!Number.isSafeInteger(jobId)) throw new Error(`not a job id: ${jobId}`);
    await db.query(`CALL run_job(${jobId})`);
  }

  /**
   * Compressed chunks of `compliance_events` whose compressed relation was never analyzed. Autovacuum
   * does not get to them (a chunk compresses into a few hundred rows, under its threshold), and
   * without statistics the planner guessed 250,000 rows per chunk on a TimescaleDB 2.28 server.
   * `ANALYZE` on the chunk itself only reads its emptied heap.
   */
  async compressedChunksWithoutStatistics(db: Queryable): Promise<string[]> {
    const rows = (await db.query(
      `SELECT format('%I.%I', compressed.schema_name, compressed.table_name) AS relation
       FROM _timescaledb_catalog.hypertable hypertable
       JOIN _timescaledb_catalog.chunk chunk ON chunk.hypertable_id = hypertable.id AND NOT chunk.dropped
       JOIN _timescaledb_catalog.chunk compressed ON compressed.id = chunk.compressed_chunk_id
       JOIN pg_class relation ON relation.oid = format('%I.%I', compressed.schema_name, compressed.table_name)::regclass
       WHERE hypertable.schema_name = current_schema() AND hypertable.table_name = 'compliance_events'
         AND (relation.reltuples < 0 OR NOT EXISTS (SELECT 1 FROM pg_stats
                                                    WHERE schemaname = compressed.schema_name
                                                      AND tablename = compressed.table_name))
       ORDER BY chunk.id LIMIT ${ANALYZE_LIMIT}`,
    )) as { relation: string }[];
    return rows.map((row) => row.relation);
  }

  /** `relation` comes from `compressedChunksWithoutStatistics`, already quoted by `format('%I')`. */
  async analyze(db: Queryable, relation: string): Promise<void> {
    await db.query(`ANALYZE ${relation}`);
  }
}
