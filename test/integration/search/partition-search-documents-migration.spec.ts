import { DataSource } from 'typeorm';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import { buildDataSourceOptions } from '../../../src/infrastructure/database/data-source-options';
import { MIGRATIONS } from '../../../src/infrastructure/database/migrations';
import { PartitionSearchDocuments1764500002000 } from '../../../src/infrastructure/database/migrations/1764500002000-PartitionSearchDocuments';
import { PostgresSearchEngine } from '../../../src/infrastructure/search/postgres/postgres-search.engine';
import { parseSearchQuery } from '../../../src/infrastructure/search/search-query';
import { createTestDatabase, TestDatabase } from '../../support/database';
import { complianceCorpus } from '../../support/search-corpus';

describe('search_documents to hash partitions migration', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(PartitionSearchDocuments1764500002000));

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = new AppConfig(validateEnvironment({ DATABASE_URL: db.url }));
    dataSource = await new DataSource({
      ...buildDataSourceOptions(config.database, db.url),
      migrations: before,
      migrationsRun: false,
    }).initialize();
    await dataSource.runMigrations();
    const engine = new PostgresSearchEngine(() => dataSource.manager);
    await engine.index(complianceCorpus(3, 500));
    await engine.delete([{ index: 'compliance', id: 'rec-3-0000007', version: 2 }]);
    dataSource.migrations.push(new PartitionSearchDocuments1764500002000());
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  const rows = () =>
    db.query(
      `SELECT index_name, document_id, version, deleted, code, title, body, keywords, occurred_at, indexed_at,
              search_vector::text AS search_vector
       FROM search_documents ORDER BY index_name, document_id`,
    );
  const partitions = () =>
    db.query<{ partition: string }>(
      `SELECT inhrelid::regclass::text AS partition FROM pg_inherits WHERE inhparent = 'search_documents'::regclass`,
    );

  it('copies every document and tombstone into the partitions and back, still searchable', async () => {
    const stored = await rows();
    await dataSource.runMigrations();
    expect(await partitions()).toHaveLength(16);
    expect(await rows()).toEqual(stored);
    const engine = new PostgresSearchEngine(() => dataSource.manager);
    const search = () =>
      engine.search({
        index: 'compliance',
        query: parseSearchQuery('score'),
        filters: { status: 'failed' },
        facets: ['framework'],
        page: 1,
        pageSize: 5,
      });
    const partitioned = await search();
    expect(partitioned.total).toBe(
      stored.filter((r) => !r.deleted && (r.keywords as { status: string }).status === 'failed').length,
    );

    await dataSource.undoLastMigration();
    expect(await partitions()).toEqual([]);
    expect(await rows()).toEqual(stored);
    expect(await search()).toEqual(partitioned);
  });
});
