import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A walk carries the ids of the edges it follows, and builds paths from them only for the rows it
 * answers: with the id in the traversal indexes every hop, in either direction, is an index-only scan.
 */
export class IncludeMappingIdInTraversalIndexes1764930000000 implements MigrationInterface {
  name = 'IncludeMappingIdInTraversalIndexes1764930000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_control_mappings_source_relationship`);
    await queryRunner.query(`DROP INDEX idx_control_mappings_target_relationship`);
    await queryRunner.query(
      `CREATE INDEX idx_control_mappings_source_relationship
         ON control_mappings (source_control, relationship) INCLUDE (target_control, id)`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_control_mappings_target_relationship
         ON control_mappings (target_control, relationship) INCLUDE (source_control, id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX idx_control_mappings_source_relationship`);
    await queryRunner.query(`DROP INDEX idx_control_mappings_target_relationship`);
    await queryRunner.query(
      `CREATE INDEX idx_control_mappings_source_relationship
         ON control_mappings (source_control, relationship) INCLUDE (target_control)`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_control_mappings_target_relationship
         ON control_mappings (target_control, relationship) INCLUDE (source_control)`,
    );
  }
}
