import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each data key became the active one, which the rotation schedule measures the key's age
 * from (a key is active since its rotation started, or since the schedule first saw it), and who
 * started each rotation run: an admin or the schedule.
 */
export class CreateEncryptionKeyActivations1765091000000 implements MigrationInterface {
  name = 'CreateEncryptionKeyActivations1765091000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE encryption_key_activations (
        key_id        text PRIMARY KEY,
        activated_at  timestamptz NOT NULL
      )`);
    // A run onto the key already active (an upgrade) does not make it younger.
    await queryRunner.query(`
      INSERT INTO encryption_key_activations (key_id, activated_at)
      SELECT target_key_id, max(started_at)
        FROM (SELECT target_key_id, started_at, lag(target_key_id) OVER (ORDER BY started_at) AS previous
                FROM encryption_rotations) runs
       WHERE previous IS DISTINCT FROM target_key_id
       GROUP BY target_key_id`);
    await queryRunner.query(`
      ALTER TABLE encryption_rotations
        ADD COLUMN started_by text NOT NULL DEFAULT 'admin' CHECK (started_by IN ('admin', 'schedule'))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE encryption_rotations DROP COLUMN started_by`);
    await queryRunner.query(`DROP TABLE encryption_key_activations`);
  }
}
