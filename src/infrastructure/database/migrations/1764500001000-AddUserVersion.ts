import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version per user, raised on every save, so the `users` search index can tell a late, older copy
 * of a user from a newer one (the same rule compliance records follow).
 */
export class AddUserVersion1764500001000 implements MigrationInterface {
  name = 'AddUserVersion1764500001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ADD COLUMN version integer NOT NULL DEFAULT 1`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users DROP COLUMN version`);
  }
}
