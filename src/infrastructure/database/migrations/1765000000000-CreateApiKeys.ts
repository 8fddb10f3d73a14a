import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys for machine clients. A key has one current secret and, after a rotation, older ones
 * until their overlap ends (`api_key_secrets.expires_at`). A secret is stored only as the SHA-256
 * of the whole key text; `lookup_id` is the non-secret part of the key that finds its row.
 * `created_by` is a user id or the id of the admin key that created the key.
 */
export class CreateApiKeys1765000000000 implements MigrationInterface {
  name = 'CreateApiKeys1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id             uuid PRIMARY KEY,
        name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        role           text NOT NULL CHECK (role IN ('admin', 'auditor', 'analyst', 'service')),
        created_by     uuid NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now(),
        last_used_at   timestamptz,
        expires_at     timestamptz,
        allowed_cidrs  cidr[] NOT NULL DEFAULT '{}',
        revoked_at     timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX idx_api_keys_created_at ON api_keys (created_at DESC)`);
    await queryRunner.query(`
      CREATE TABLE api_key_secrets (
        lookup_id    text PRIMARY KEY CHECK (lookup_id ~ '^[0-9A-Za-z]{12}$'),
        key_id       uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
        secret_hash  bytea NOT NULL CHECK (length(secret_hash) = 32),
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX idx_api_key_secrets_key_id ON api_key_secrets (key_id, created_at DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_api_key_secrets_key_id`);
    await queryRunner.query(`DROP TABLE api_key_secrets`);
    await queryRunner.query(`DROP INDEX idx_api_keys_created_at`);
    await queryRunner.query(`DROP TABLE api_keys`);
  }
}
