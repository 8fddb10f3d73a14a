import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The envelope version a re-encryption run writes. Runs before this migration only changed keys
 * (`v1`, AAD `table.column`); every run from now on also rewrites values into `v2` (AAD bound to
 * the row). Once a `v2` run has completed, no `v1` value is left and reads refuse them.
 */
export class AddRotationTargetEnvelope1764820000000 implements MigrationInterface {
  name = 'AddRotationTargetEnvelope1764820000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE encryption_rotations
        ADD COLUMN target_envelope text NOT NULL DEFAULT 'v1' CHECK (target_envelope IN ('v1', 'v2'))`);
    await queryRunner.query(`ALTER TABLE encryption_rotations ALTER COLUMN target_envelope SET DEFAULT 'v2'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE encryption_rotations DROP COLUMN target_envelope`);
  }
}
