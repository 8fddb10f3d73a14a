import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Postgres search engine's store, derived and rebuildable like any search index: weighted
 * generated tsvector (code A, title B, body C) under GIN, trigram index for control-id prefix and
 * fuzzy matches, JSONB keywords for filters and facets. Deleted documents stay as versioned
 * tombstones until the next reindex, so a late older write cannot resurrect them.
 * `search_index_backlog` holds documents still to copy to Elasticsearch; `search_reindex_runs` the
 * progress of rebuilds.
 */
export class CreateSearchDocuments1764500000000 implements MigrationInterface {
  name = 'CreateSearchDocuments1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(`
      CREATE TABLE search_documents (
        index_name     text NOT NULL,
        document_id    text NOT NULL,
        version        bigint NOT NULL,
        deleted        boolean NOT NULL DEFAULT false,
        code           text,
        title          text NOT NULL DEFAULT '',
        body           text NOT NULL DEFAULT '',
        keywords       jsonb NOT NULL DEFAULT '{}',
        occurred_at    timestamptz NOT NULL,
        indexed_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
        search_vector  tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('simple', coalesce(code, '')), 'A') ||
          setweight(to_tsvector('english', title), 'B') ||
          setweight(to_tsvector('english', body), 'C')
        ) STORED,
        PRIMARY KEY (index_name, document_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX idx_search_documents_search_vector ON search_documents USING gin (search_vector) WHERE NOT deleted`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_search_documents_code ON search_documents USING gin (lower(code) gin_trgm_ops) WHERE NOT deleted`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_search_documents_keywords ON search_documents USING gin (keywords jsonb_path_ops) WHERE NOT deleted`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_search_documents_index_name_indexed_at ON search_documents (index_name, indexed_at)`,
    );
    await queryRunner.query(`
      CREATE TABLE search_index_backlog (
        index_name   text NOT NULL,
        document_id  text NOT NULL,
        enqueued_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (index_name, document_id)
      )`);
    await queryRunner.query(`CREATE INDEX idx_search_index_backlog_enqueued_at ON search_index_backlog (enqueued_at)`);
    await queryRunner.query(`
      CREATE TABLE search_reindex_runs (
        id           uuid PRIMARY KEY,
        index_name   text NOT NULL,
        status       text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        processed    integer NOT NULL DEFAULT 0,
        started_at   timestamptz NOT NULL DEFAULT now(),
        finished_at  timestamptz,
        failure      text
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE search_reindex_runs`);
    await queryRunner.query(`DROP INDEX idx_search_index_backlog_enqueued_at`);
    await queryRunner.query(`DROP TABLE search_index_backlog`);
    await queryRunner.query(`DROP INDEX idx_search_documents_index_name_indexed_at`);
    await queryRunner.query(`DROP INDEX idx_search_documents_keywords`);
    await queryRunner.query(`DROP INDEX idx_search_documents_code`);
    await queryRunner.query(`DROP INDEX idx_search_documents_search_vector`);
    await queryRunner.query(`DROP TABLE search_documents`);
    await queryRunner.query(`DROP EXTENSION IF EXISTS pg_trgm`);
  }
}
