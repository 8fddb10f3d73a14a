import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import { buildDataSourceOptions } from '../../../src/infrastructure/database/data-source-options';
import { TransactionContext } from '../../../src/infrastructure/database/transaction-context';
import { InProcessJobQueue } from '../../../src/infrastructure/queue/in-process-job-queue';
import type { ElasticsearchSearchEngine } from '../../../src/infrastructure/search/elasticsearch/elasticsearch-search.engine';
import { PostgresSearchEngine } from '../../../src/infrastructure/search/postgres/postgres-search.engine';
import type { SearchDocument } from '../../../src/infrastructure/search/search-document';
import { type SearchDocumentRef, SearchEngineUnavailableError } from '../../../src/infrastructure/search/search-engine';
import { ElasticsearchSync } from '../../../src/modules/search/jobs/elasticsearch-sync.job';
import { SearchIndexer } from '../../../src/modules/search/search-indexer';
import { SearchRepository } from '../../../src/modules/search/search.repository';
import { createTestDatabase, TestDatabase } from '../../support/database';
import { aComplianceDocument } from '../../support/search-corpus';

/** Stands in for the cluster: records what it receives and can be switched off. */
class FakeCluster {
  up = false;
  indexed: SearchDocument[] = [];
  removed: SearchDocumentRef[] = [];
  onIndex: () => Promise<void> = async () => undefined;

  async ensureIndices() {
    this.check();
  }
  async index(documents: SearchDocument[]) {
    this.check();
    await this.onIndex();
    this.indexed.push(...documents);
  }
  async delete(refs: SearchDocumentRef[]) {
    this.check();
    this.removed.push(...refs);
  }
  private check() {
    if (!this.up) throw new SearchEngineUnavailableError('elasticsearch unavailable: ConnectionError');
  }
}

describe('Elasticsearch backlog', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let cluster: FakeCluster;
  let sync: ElasticsearchSync;
  let indexer: SearchIndexer;
  let lag: Gauge;
  let backlog: Gauge;
  const queue = new InProcessJobQueue();

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = new AppConfig(validateEnvironment({ DATABASE_URL: db.url }));
    dataSource = await new DataSource(buildDataSourceOptions(config.database, db.url)).initialize();
    await dataSource.runMigrations();
  });
  afterAll(async () => {
    await queue.onApplicationShutdown();
    await dataSource.destroy();
    await db.drop();
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE search_documents, search_index_backlog');
    const transactions = new TransactionContext(dataSource);
    const repository = new SearchRepository(transactions);
    cluster = new FakeCluster();
    const engine = cluster as unknown as ElasticsearchSearchEngine;
    backlog = new Gauge({ name: 'backlog', help: 'h', registers: [] });
    lag = new Gauge({ name: 'lag', help: 'h', registers: [] });
    sync = new ElasticsearchSync(engine, queue, repository, backlog, lag);
    indexer = new SearchIndexer(
      new PostgresSearchEngine(() => transactions.manager),
      engine,
      repository,
      transactions,
      {
        trigger: async () => undefined,
      } as unknown as ElasticsearchSync,
    );
  });

  const gauge = async (metric: Gauge) => (await metric.get()).values[0]?.value;
  const documents = () => ['a', 'b', 'c'].map((id) => aComplianceDocument({ id, version: 2 }));

  it('keeps writes queued while the cluster is down and drains them once it is back', async () => {
    await indexer.index(documents());
    await expect(sync.drain()).rejects.toBeInstanceOf(SearchEngineUnavailableError);
    expect(await gauge(backlog)).toBe(3);
    expect(await gauge(lag)).toBeGreaterThan(0);

    cluster.up = true;
    await sync.drain();
    expect(cluster.indexed.map((d) => d.id).sort()).toEqual(['a', 'b', 'c']);
    expect(await gauge(backlog)).toBe(0);
    expect(await gauge(lag)).toBe(0);
  });

  it('sends a deletion as a versioned removal', async () => {
    cluster.up = true;
    await indexer.index(documents());
    await indexer.delete([{ index: 'compliance', id: 'b', version: 3 }]);
    await sync.drain();
    expect(cluster.removed).toEqual([{ index: 'compliance', id: 'b', version: 3 }]);
    expect(cluster.indexed.map((d) => d.id).sort()).toEqual(['a', 'c']);
  });

  it('removes expired documents from both engines, and only those', async () => {
    cluster.up = true;
    const at = (id: string, occurredAt: string) => aComplianceDocument({ index: 'audit', id, occurredAt });
    await indexer.index([at('old', '2024-01-31T23:59:59.999Z'), at('kept', '2024-02-01T00:00:00.000Z')]);
    await sync.drain();

    expect(await indexer.expire('audit', new Date('2024-02-01T00:00:00Z'))).toBe(1);
    await sync.drain();
    expect(cluster.removed).toEqual([{ index: 'audit', id: 'old', version: Number.MAX_SAFE_INTEGER }]);
    const left = await dataSource.query(`SELECT document_id FROM search_documents WHERE index_name = 'audit'`);
    expect(left).toEqual([{ document_id: 'kept' }]);
    expect(await gauge(backlog)).toBe(0);
  });

  it('sends a document again when it was rewritten while its previous copy was in flight', async () => {
    cluster.up = true;
    await indexer.index(documents());
    let rewritten = false;
    cluster.onIndex = async () => {
      if (rewritten) return;
      rewritten = true;
      await indexer.index([aComplianceDocument({ id: 'a', version: 3, title: 'rewritten' })]);
    };
    await sync.drain();
    expect(await gauge(backlog)).toBe(1);
    await sync.drain();
    expect(cluster.indexed.filter((d) => d.id === 'a').map((d) => d.version)).toEqual([2, 3]);
    expect(await gauge(backlog)).toBe(0);
  });
});
