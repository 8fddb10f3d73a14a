import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One data key per data subject (a user; `id` is the subject's id), wrapped by the keyring and
 * kept apart from the values it seals. Erasure sets `wrapped` to NULL: the row stays as a
 * tombstone, so a subject erased before a backup was taken (or re-erased from the ledger after a
 * restore) is never given a fresh key. No foreign key: a tombstone may outlive its user row.
 */
export class CreateSubjectKeys1765090000000 implements MigrationInterface {
  name = 'CreateSubjectKeys1765090000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE subject_keys (
        id          uuid PRIMARY KEY,
        wrapped     text,
        created_at  timestamptz NOT NULL DEFAULT now(),
        erased_at   timestamptz,
        CONSTRAINT subject_keys_erased_has_no_key CHECK ((wrapped IS NULL) = (erased_at IS NOT NULL))
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE subject_keys`);
  }
}
