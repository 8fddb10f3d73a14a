import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Data keys for the personal data inside audit events, one per calendar month (`period`, e.g.
 * `audit-2026-12`, the key id its ciphertexts name). `wrapped` is the key sealed by the keyring:
 * the events are append-only and never re-encrypted, so key rotation rewraps these rows instead.
 */
export class CreateAuditDataKeys1765040000000 implements MigrationInterface {
  name = 'CreateAuditDataKeys1765040000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_data_keys (
        id          uuid PRIMARY KEY,
        period      text NOT NULL UNIQUE,
        wrapped     text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_data_keys`);
  }
}
