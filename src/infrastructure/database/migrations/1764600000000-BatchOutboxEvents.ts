import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One outbox row may carry many events (bulk ingest, audit group commit): `entry_ids` holds their
 * ids, taken from the same sequence as single events, and `payload` their `{aggregateId, payload}`
 * list. Such a row has no `aggregate_id`; its deliveries act as a barrier in the relay's ordering.
 * `payload` becomes `json` stored uncompressed: it is only ever read back whole by the relay, and
 * parsing a bulk's megabytes into `jsonb`, then compressing them, cost more than inserting the records.
 * `event_count` on a delivery lets the backlog count events without reading the payloads.
 * `outbox_event_entries` shows every event on its own row, whichever kind of row carries it.
 */
export class BatchOutboxEvents1764600000000 implements MigrationInterface {
  name = 'BatchOutboxEvents1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE outbox_events ALTER COLUMN payload TYPE json USING payload::json`);
    await queryRunner.query(`ALTER TABLE outbox_events ALTER COLUMN payload SET STORAGE EXTERNAL`);
    await queryRunner.query(`ALTER TABLE outbox_events ALTER COLUMN aggregate_id DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE outbox_events ADD COLUMN entry_ids bigint[]`);
    await queryRunner.query(
      `ALTER TABLE outbox_events ADD CONSTRAINT outbox_events_single_or_batch
       CHECK ((aggregate_id IS NULL) = (entry_ids IS NOT NULL))`,
    );
    await queryRunner.query(`ALTER TABLE outbox_deliveries ALTER COLUMN aggregate_id DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE outbox_deliveries ADD COLUMN event_count integer NOT NULL DEFAULT 1`);
    await queryRunner.query(`
      CREATE VIEW outbox_event_entries AS
        SELECT e.id AS row_id, e.id AS event_id, e.type, e.aggregate_id, e.payload, e.created_at
        FROM outbox_events e WHERE e.entry_ids IS NULL
        UNION ALL
        SELECT e.id, e.entry_ids[entry.n], e.type, (entry.value ->> 'aggregateId')::uuid, entry.value -> 'payload',
               e.created_at
        FROM outbox_events e, json_array_elements(e.payload) WITH ORDINALITY AS entry(value, n)
        WHERE e.entry_ids IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW outbox_event_entries`);
    await queryRunner.query(`DELETE FROM outbox_deliveries WHERE aggregate_id IS NULL`);
    await queryRunner.query(`DELETE FROM outbox_events WHERE entry_ids IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE outbox_deliveries DROP COLUMN event_count`);
    await queryRunner.query(`ALTER TABLE outbox_deliveries ALTER COLUMN aggregate_id SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE outbox_events DROP CONSTRAINT outbox_events_single_or_batch`);
    await queryRunner.query(`ALTER TABLE outbox_events DROP COLUMN entry_ids`);
    await queryRunner.query(`ALTER TABLE outbox_events ALTER COLUMN aggregate_id SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE outbox_events ALTER COLUMN payload SET STORAGE EXTENDED`);
    await queryRunner.query(`ALTER TABLE outbox_events ALTER COLUMN payload TYPE jsonb USING payload::jsonb`);
  }
}
