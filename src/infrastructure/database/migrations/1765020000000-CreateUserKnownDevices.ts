import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Devices each account has logged in from, for the `new-device` security signal: only the
 * session's device fingerprint (an HMAC of normalised client traits), never a user agent or an IP.
 */
export class CreateUserKnownDevices1765020000000 implements MigrationInterface {
  name = 'CreateUserKnownDevices1765020000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE user_known_devices (
        user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        fingerprint   text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{32}$'),
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, fingerprint)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE user_known_devices`);
  }
}
