import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A revoked session stays `redis_purge_pending` until some replica has deleted it from Redis, so
 * a revocation survives a Redis outage, a partition and the death of the replica that made it.
 * Sessions already revoked whose cache entry may still be alive are marked too: replicas that
 * predate this column could not always tell Redis.
 */
export class AddSessionRedisPurgePending1764200000002 implements MigrationInterface {
  name = 'AddSessionRedisPurgePending1764200000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE session_store ADD COLUMN redis_purge_pending boolean NOT NULL DEFAULT false`);
    await queryRunner.query(
      `CREATE INDEX idx_sessions_redis_purge_pending ON session_store (revoked_at) WHERE redis_purge_pending`,
    );
    await queryRunner.query(
      `UPDATE session_store SET redis_purge_pending = true WHERE revoked_at IS NOT NULL AND absolute_expires_at > now()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_sessions_redis_purge_pending`);
    await queryRunner.query(`ALTER TABLE session_store DROP COLUMN redis_purge_pending`);
  }
}
