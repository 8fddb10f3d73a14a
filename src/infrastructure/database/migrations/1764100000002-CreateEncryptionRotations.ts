import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per key rotation: the target key and, per `table.column`, the last id re-encrypted,
 * so a rotation stopped midway resumes where it was. At most one rotation runs at a time.
 */
export class CreateEncryptionRotations1764100000002 implements MigrationInterface {
  name = 'CreateEncryptionRotations1764100000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE encryption_rotations (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        target_key_id     text NOT NULL,
        status            text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed')),
        cursors           jsonb NOT NULL DEFAULT '{}'::jsonb,
        rows_reencrypted  bigint NOT NULL DEFAULT 0,
        started_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        finished_at       timestamptz
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX idx_encryption_rotations_running ON encryption_rotations ((status)) WHERE status = 'running'`,
    );
    await queryRunner.query(`CREATE INDEX idx_encryption_rotations_started ON encryption_rotations (started_at DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_encryption_rotations_started`);
    await queryRunner.query(`DROP INDEX idx_encryption_rotations_running`);
    await queryRunner.query(`DROP TABLE encryption_rotations`);
  }
}
