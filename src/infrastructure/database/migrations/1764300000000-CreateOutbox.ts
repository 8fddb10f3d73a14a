import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transactional outbox: `outbox_events` is written in the same transaction as the change;
 * `outbox_deliveries` tracks each event per consumer, so every consumer gets every event once
 * even across relay restarts, and a failing consumer is retried (and dead-lettered) on its own.
 * No foreign key from deliveries to events: bulk ingest writes tens of thousands of deliveries per
 * transaction and the per-row check is its largest cost; only the outbox code writes these tables.
 */
export class CreateOutbox1764300000000 implements MigrationInterface {
  name = 'CreateOutbox1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE outbox_events (
        id            bigserial PRIMARY KEY,
        type          text NOT NULL,
        aggregate_id  uuid NOT NULL,
        payload       jsonb NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE outbox_deliveries (
        event_id         bigint NOT NULL,
        consumer         text NOT NULL,
        aggregate_id     uuid NOT NULL,
        status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
        attempts         integer NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        last_error       text,
        created_at       timestamptz NOT NULL DEFAULT now(),
        delivered_at     timestamptz,
        PRIMARY KEY (consumer, event_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX idx_outbox_deliveries_pending ON outbox_deliveries (consumer, aggregate_id, event_id) WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_outbox_deliveries_due ON outbox_deliveries (consumer, event_id) WHERE status = 'pending'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_outbox_deliveries_due`);
    await queryRunner.query(`DROP INDEX idx_outbox_deliveries_pending`);
    await queryRunner.query(`DROP TABLE outbox_deliveries`);
    await queryRunner.query(`DROP TABLE outbox_events`);
  }
}
