import type { MigrationInterface, QueryRunner } from 'typeorm';

const PARTITIONS = 16;

const COLUMNS = `
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
        PRIMARY KEY (index_name, document_id)`;

/** The copy outlasts the app's statement timeout on a large index; this lasts for the migration's transaction. */
const COPY_WITHOUT_TIMEOUT = 'SET LOCAL statement_timeout = 0';

const STORED = 'index_name, document_id, version, deleted, code, title, body, keywords, occurred_at, indexed_at';

/**
 * Splits `search_documents` into hash partitions by document id, so a search that ranks only its
 * first N candidates (SEARCH_RANK_CANDIDATES) stops after the partitions that hold them instead of
 * collecting every match of a broad query from one GIN index first. Text and keyword filters share
 * one GIN index, so a filter narrows the match inside the index rather than on heap rows.
 * Existing rows are copied, with writes and searches waiting on the table lock meanwhile (about a
 * minute per million documents).
 */
export class PartitionSearchDocuments1764500002000 implements MigrationInterface {
  name = 'PartitionSearchDocuments1764500002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(COPY_WITHOUT_TIMEOUT);
    await queryRunner.query(`ALTER TABLE search_documents RENAME TO search_documents_unpartitioned`);
    await queryRunner.query(
      `ALTER TABLE search_documents_unpartitioned RENAME CONSTRAINT search_documents_pkey TO search_documents_unpartitioned_pkey`,
    );
    await queryRunner.query(`CREATE TABLE search_documents (${COLUMNS}) PARTITION BY HASH (document_id)`);
    for (let i = 0; i < PARTITIONS; i++) {
      await queryRunner.query(
        `CREATE TABLE search_documents_p${i} PARTITION OF search_documents FOR VALUES WITH (MODULUS ${PARTITIONS}, REMAINDER ${i})`,
      );
    }
    await queryRunner.query(
      `INSERT INTO search_documents (${STORED}) SELECT ${STORED} FROM search_documents_unpartitioned`,
    );
    await queryRunner.query(`DROP TABLE search_documents_unpartitioned`);
    await queryRunner.query(
      `CREATE INDEX idx_search_documents_search_vector_keywords ON search_documents
       USING gin (search_vector, keywords jsonb_path_ops) WHERE NOT deleted`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_search_documents_code ON search_documents USING gin (lower(code) gin_trgm_ops) WHERE NOT deleted`,
    );
    await queryRunner.query(
      `CREATE INDEX idx_search_documents_index_name_indexed_at ON search_documents (index_name, indexed_at)`,
    );
    await queryRunner.query(`ANALYZE search_documents`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(COPY_WITHOUT_TIMEOUT);
    await queryRunner.query(`ALTER TABLE search_documents RENAME TO search_documents_partitioned`);
    await queryRunner.query(
      `ALTER TABLE search_documents_partitioned RENAME CONSTRAINT search_documents_pkey TO search_documents_partitioned_pkey`,
    );
    await queryRunner.query(`CREATE TABLE search_documents (${COLUMNS})`);
    await queryRunner.query(
      `INSERT INTO search_documents (${STORED}) SELECT ${STORED} FROM search_documents_partitioned`,
    );
    await queryRunner.query(`DROP TABLE search_documents_partitioned`);
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
    await queryRunner.query(`ANALYZE search_documents`);
  }
}
