import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed-login counters per subject (`account:<email blind index>` or `ip:<address>`), and the
 * lock they lead to. Keyed by blind index, so unknown and known emails lock alike.
 */
export class CreateLoginFailures1764200000001 implements MigrationInterface {
  name = 'CreateLoginFailures1764200000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE login_failures (
        subject         text PRIMARY KEY,
        failures        int NOT NULL,
        last_failed_at  timestamptz NOT NULL,
        locked_until    timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX idx_login_failures_last_failed ON login_failures (last_failed_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_login_failures_last_failed`);
    await queryRunner.query(`DROP TABLE login_failures`);
  }
}
