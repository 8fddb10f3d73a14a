import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Time series of status changes, partitioned by day (`compliance_events_pYYYYMMDD`, created by
 * the partition maintenance job; the default partition catches anything outside them), and an
 * hourly rollup maintained incrementally by the same statement that inserts events.
 * `source_event_id` (the outbox event) makes inserting an event idempotent.
 */
export class CreateComplianceEvents1764300002000 implements MigrationInterface {
  name = 'CreateComplianceEvents1764300002000';

  async up(queryRunner: QueryRunner): Promise<void> {
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
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE compliance_events_hourly`);
    await queryRunner.query(`DROP TABLE compliance_events`);
  }
}
