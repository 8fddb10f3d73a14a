import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Number of independent hash chains; each request or batch appends to one it has locked. */
export const AUDIT_SHARDS = 16;

/**
 * The audit trail: monthly partitions of hash-chained events, one head row per shard, signed
 * checkpoints of the heads. Events and checkpoints are append-only (triggers); only whole
 * partitions are removed, by the retention job, after it has written a checkpoint.
 */
export class CreateAuditTrail1764400000000 implements MigrationInterface {
  name = 'CreateAuditTrail1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_events (
        occurred_at    timestamptz NOT NULL,
        shard          smallint NOT NULL,
        seq            bigint NOT NULL,
        id             uuid NOT NULL,
        actor_id       text NOT NULL,
        action         text NOT NULL,
        resource_type  text,
        resource_id    text,
        outcome        text NOT NULL,
        severity       text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
        request_id     text,
        ip             text,
        user_agent     text,
        details        jsonb NOT NULL DEFAULT '{}',
        prev_hash      text NOT NULL,
        hash           text NOT NULL,
        PRIMARY KEY (shard, seq, occurred_at)
      ) PARTITION BY RANGE (occurred_at)`);
    await queryRunner.query(`
      DO $$
      DECLARE month date := date_trunc('month', now() - interval '1 month');
      BEGIN
        FOR i IN 0..3 LOOP
          EXECUTE format('CREATE TABLE %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)',
            'audit_events_' || to_char(month, 'YYYY_MM'), month, month + interval '1 month');
          month := month + interval '1 month';
        END LOOP;
      END $$`);
    await queryRunner.query(`CREATE INDEX idx_audit_user_timestamp ON audit_events (actor_id, occurred_at DESC)`);
    await queryRunner.query(`CREATE INDEX idx_audit_event_timestamp ON audit_events (action, occurred_at DESC)`);
    await queryRunner.query(
      `CREATE INDEX idx_audit_resource_timestamp ON audit_events (resource_type, resource_id, occurred_at DESC)`,
    );
    await queryRunner.query(`CREATE INDEX idx_audit_timestamp ON audit_events (occurred_at DESC, shard, seq)`);
    await queryRunner.query(
      `CREATE INDEX idx_audit_critical_timestamp ON audit_events (occurred_at DESC) WHERE severity = 'critical'`,
    );
    await queryRunner.query(`CREATE INDEX idx_audit_details ON audit_events USING gin (details jsonb_path_ops)`);

    await queryRunner.query(`
      CREATE TABLE audit_chain_heads (
        shard        smallint PRIMARY KEY,
        seq          bigint NOT NULL,
        hash         text NOT NULL,
        last_at      timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `INSERT INTO audit_chain_heads (shard, seq, hash, last_at)
       SELECT s, 0, repeat('0', 64), to_timestamp(0) FROM generate_series(0, ${AUDIT_SHARDS - 1}) AS s`,
    );

    await queryRunner.query(`
      CREATE TABLE audit_checkpoints (
        id          bigserial PRIMARY KEY,
        kind        text NOT NULL CHECK (kind IN ('periodic', 'retention')),
        created_at  timestamptz NOT NULL,
        heads       jsonb NOT NULL,
        signature   text NOT NULL
      )`);

    await queryRunner.query(`
      CREATE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['audit_events', 'audit_checkpoints']) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
         FOR EACH ROW EXECUTE FUNCTION audit_reject_change()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
         FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_checkpoints`);
    await queryRunner.query(`DROP TABLE audit_chain_heads`);
    await queryRunner.query(`DROP TABLE audit_events`);
    await queryRunner.query(`DROP FUNCTION audit_reject_change()`);
  }
}
