import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The durable copy of every session (Redis is the fast path). Only the SHA-256 of a token is
 * stored. `expires_at` is the sliding expiry (capped by `absolute_expires_at`).
 */
export class CreateSessionStore1764200000000 implements MigrationInterface {
  name = 'CreateSessionStore1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE session_store (
        id                   uuid PRIMARY KEY,
        token_hash           text NOT NULL UNIQUE,
        user_id              uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role                 text NOT NULL,
        created_at           timestamptz NOT NULL,
        last_activity_at     timestamptz NOT NULL,
        expires_at           timestamptz NOT NULL,
        absolute_expires_at  timestamptz NOT NULL,
        revoked_at           timestamptz,
        ip                   text,
        user_agent           text,
        device_fingerprint   text NOT NULL,
        metadata             jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await queryRunner.query(
      `CREATE INDEX idx_sessions_user_active ON session_store (user_id, created_at DESC) WHERE revoked_at IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX idx_sessions_expires_cleanup ON session_store (expires_at)`);
    await queryRunner.query(
      `CREATE INDEX idx_sessions_device_fingerprint ON session_store (user_id, device_fingerprint)`,
    );
    await queryRunner.query(`CREATE INDEX idx_sessions_metadata ON session_store USING gin (metadata)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_sessions_metadata`);
    await queryRunner.query(`DROP INDEX idx_sessions_device_fingerprint`);
    await queryRunner.query(`DROP INDEX idx_sessions_expires_cleanup`);
    await queryRunner.query(`DROP INDEX idx_sessions_user_active`);
    await queryRunner.query(`DROP TABLE session_store`);
  }
}
