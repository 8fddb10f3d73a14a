import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each running replica registers itself here; readiness proves the database is writable by
 * touching its own row. Conventions for every later migration: plain SQL, indexes named
 * `idx_<table>_<columns>` and written explicitly, and a `down()` that removes all of it.
 */
export class CreateServiceInstances1764000000000 implements MigrationInterface {
  name = 'CreateServiceInstances1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE service_instances (
        id            uuid PRIMARY KEY,
        hostname      text NOT NULL,
        version       text NOT NULL,
        started_at    timestamptz NOT NULL DEFAULT now(),
        last_seen_at  timestamptz NOT NULL DEFAULT now(),
        stopped_at    timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX idx_service_instances_last_seen ON service_instances (last_seen_at DESC) WHERE stopped_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_service_instances_last_seen`);
    await queryRunner.query(`DROP TABLE service_instances`);
  }
}
