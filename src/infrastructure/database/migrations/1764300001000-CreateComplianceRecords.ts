import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Compliance records and the frameworks they are validated against. `evidence_notes` holds
 * ciphertext written by the encryption module, never plain text.
 */
export class CreateComplianceRecords1764300001000 implements MigrationInterface {
  name = 'CreateComplianceRecords1764300001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE compliance_frameworks (
        code        text PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{0,31}$'),
        name        text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      INSERT INTO compliance_frameworks (code, name) VALUES
        ('GDPR', 'General Data Protection Regulation'),
        ('SOC2', 'SOC 2'),
        ('HIPAA', 'Health Insurance Portability and Accountability Act'),
        ('ISO27001', 'ISO/IEC 27001'),
        ('PCI-DSS', 'Payment Card Industry Data Security Standard')`);
    await queryRunner.query(`
      CREATE TABLE compliance_records (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        entity_id       text NOT NULL,
        framework       text NOT NULL REFERENCES compliance_frameworks (code),
        control_id      text NOT NULL,
        status          text NOT NULL CHECK (status IN ('passed', 'failed', 'warning', 'not_applicable', 'pending')),
        score           numeric(5, 2) NOT NULL CHECK (score BETWEEN 0 AND 100),
        details         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object'),
        evidence_notes  text,
        assessed_at     timestamptz NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        deleted_at      timestamptz,
        version         integer NOT NULL DEFAULT 1
      )`);
    await queryRunner.query(
      `CREATE INDEX idx_compliance_records_entity_framework ON compliance_records (entity_id, framework) WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_compliance_records_framework_status_assessed ON compliance_records (framework, status, assessed_at) WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_compliance_records_details ON compliance_records USING gin (details jsonb_path_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_compliance_records_assessed_id ON compliance_records (assessed_at, id) WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_compliance_records_created_id ON compliance_records (created_at, id) WHERE deleted_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_compliance_records_created_id`);
    await queryRunner.query(`DROP INDEX idx_compliance_records_assessed_id`);
    await queryRunner.query(`DROP INDEX idx_compliance_records_details`);
    await queryRunner.query(`DROP INDEX idx_compliance_records_framework_status_assessed`);
    await queryRunner.query(`DROP INDEX idx_compliance_records_entity_framework`);
    await queryRunner.query(`DROP TABLE compliance_records`);
    await queryRunner.query(`DROP TABLE compliance_frameworks`);
  }
}
