import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether `control_centrality` is behind the graph: a graph change counts a request in the outbox
 * delivery's transaction, the recomputation job records the request it computed for. Pending while
 * `requested > computed`, so a request survives a lost job or a restart.
 */
export class CreateControlCentralityState1765050000000 implements MigrationInterface {
  name = 'CreateControlCentralityState1765050000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE control_centrality_state (
        id         boolean PRIMARY KEY DEFAULT true CHECK (id),
        requested  bigint NOT NULL DEFAULT 0,
        computed   bigint NOT NULL DEFAULT 0
      )`);
    // Graphs imported before this migration get their scores recomputed once.
    await queryRunner.query(
      `INSERT INTO control_centrality_state (requested) SELECT CASE WHEN EXISTS (SELECT 1 FROM controls) THEN 1 ELSE 0 END`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE control_centrality_state`);
  }
}
