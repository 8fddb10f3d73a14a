import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Centrality of each control in the mapping graph (degree, frameworks reached, PageRank score),
 * derived from `control_mappings` and recomputed whenever the graph changes; and an index that
 * finds the records naming a control (impact of a failed control), which used to need a scan of
 * the records of the whole framework.
 */
export class CreateControlCentralityAndRecordControlIndex1764910000000 implements MigrationInterface {
  name = 'CreateControlCentralityAndRecordControlIndex1764910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE control_centrality (
        control      bigint PRIMARY KEY REFERENCES controls (id) ON DELETE CASCADE,
        degree       integer NOT NULL CHECK (degree >= 0),
        frameworks   text[] NOT NULL DEFAULT '{}',
        score        double precision NOT NULL CHECK (score >= 0),
        computed_at  timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX idx_control_centrality_score ON control_centrality (score DESC)`);
    await queryRunner.query(
      `CREATE INDEX idx_compliance_records_framework_control_id ON compliance_records (framework, control_id) WHERE deleted_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_compliance_records_framework_control_id`);
    await queryRunner.query(`DROP INDEX idx_control_centrality_score`);
    await queryRunner.query(`DROP TABLE control_centrality`);
  }
}
