import { Inject, Injectable } from '@nestjs/common';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import type { ElasticsearchSearchEngine } from '../../infrastructure/search/elasticsearch/elasticsearch-search.engine.js';
import type { PostgresSearchEngine } from '../../infrastructure/search/postgres/postgres-search.engine.js';
import type { SearchDocument, SearchIndexName } from '../../infrastructure/search/search-document.js';
import type { SearchDocumentRef } from '../../infrastructure/search/search-engine.js';
import { ElasticsearchSync } from './jobs/elasticsearch-sync.job.js';
import { ELASTICSEARCH_SEARCH, POSTGRES_SEARCH } from './search-engines.js';
import { SearchRepository } from './search.repository.js';

/**
 * The write side for outbox consumers. Documents land in the Postgres index synchronously (in the
 * caller's transaction when there is one); with Elasticsearch configured they are also queued in
 * `search_index_backlog`, which a job copies over, so an Elasticsearch outage delays but never loses.
 */
@Injectable()
export class SearchIndexer {
  constructor(
    @Inject(POSTGRES_SEARCH) private readonly postgres: PostgresSearchEngine,
    @Inject(ELASTICSEARCH_SEARCH) private readonly elasticsearch: ElasticsearchSearchEngine | null,
    private readonly repository: SearchRepository,
    private readonly transactions: TransactionContext,
    private readonly sync: ElasticsearchSync,
  ) {}

  async index(documents: SearchDocument[]): Promise<void> {
    await this.transactions.run(async () => {
      await this.postgres.index(documents);
      if (this.elasticsearch) await this.repository.enqueue(documents);
    });
    if (this.elasticsearch) await this.sync.trigger();
  }

  /** Removes what occurred before `before` from both engines: the Postgres copy in the caller's transaction. */
  async expire(index: SearchIndexName, before: Date): Promise<number> {
    const removed = await this.transactions.run(() => this.repository.expire(index, before, !!this.elasticsearch));
    if (removed && this.elasticsearch) {
      // Best effort: the sync's periodic sweep copies the backlog anyway.
      await this.transactions.afterCommit(() => this.sync.trigger().catch(() => undefined));
    }
    return removed;
  }

  /**
   * For a source that replaces a whole set at once (a framework's catalog): deletes, at `version`,
   * every live document of `index` whose keywords contain `scope` and whose id is not in `present`.
   * Reads the Postgres copy, which every write reaches; the count deleted is returned.
   */
  async deleteMissing(
    index: SearchIndexName,
    scope: Record<string, string>,
    present: string[],
    version: number,
  ): Promise<number> {
    const missing = await this.transactions.run(() => this.repository.liveIdsExcept(index, scope, present));
    if (missing.length) await this.delete(missing.map((id) => ({ index, id, version })));
    return missing.length;
  }

  async delete(refs: SearchDocumentRef[]): Promise<void> {
    await this.transactions.run(async () => {
      await this.postgres.delete(refs);
      if (this.elasticsearch) await this.repository.enqueue(refs);
    });
    if (this.elasticsearch) await this.sync.trigger();
  }
}
