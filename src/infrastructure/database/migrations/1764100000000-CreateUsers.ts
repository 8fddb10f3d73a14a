import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users. `email`, `phone`, `ssn` and `address` hold `v1:<keyId>:…` ciphertexts, never plaintext;
 * `email_index` is the email's blind index (HMAC), unique among active users.
 * `display_name` starts as plaintext on purpose: the next migration shows how to encrypt it.
 */
export class CreateUsers1764100000000 implements MigrationInterface {
  name = 'CreateUsers1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email          text NOT NULL,
        email_index    text NOT NULL,
        phone          text,
        ssn            text,
        address        text,
        display_name   text,
        role           text NOT NULL CHECK (role IN ('admin', 'auditor', 'analyst', 'service')),
        status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'locked')),
        password_hash  text NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX idx_users_email_active ON users (email_index) WHERE status = 'active'`,
    );
    await queryRunner.query(`CREATE INDEX idx_users_status_created ON users (status, created_at DESC)`);
    await queryRunner.query(`CREATE INDEX idx_users_role_status ON users (role, status)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_users_role_status`);
    await queryRunner.query(`DROP INDEX idx_users_status_created`);
    await queryRunner.query(`DROP INDEX idx_users_email_active`);
    await queryRunner.query(`DROP TABLE users`);
  }
}
