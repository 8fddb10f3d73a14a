import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ProblemException } from '../../../common/problem.js';
import { TransactionContext } from '../../../infrastructure/database/transaction-context.js';
import { JOB_QUEUE, type JobQueue } from '../../../infrastructure/queue/job-queue.js';
import type { ElasticsearchSearchEngine } from '../../../infrastructure/search/elasticsearch/elasticsearch-search.engine.js';
import type { PostgresSearchEngine } from '../../../infrastructure/search/postgres/postgres-search.engine.js';
import type { SearchIndexName } from '../../../infrastructure/search/search-document.js';
import { SearchDocumentSources } from '../search-document-source.js';
import { ELASTICSEARCH_SEARCH, POSTGRES_SEARCH } from '../search-engines.js';
import { type ReindexRun, SearchRepository } from '../search.repository.js';

export const REINDEX_JOB = 'search.reindex';
const BATCH_SIZE = 1_000;

/**
 * Rebuilds one index from its owning module's Postgres tables: first the Postgres index (upserts,
 * then removal of what the source no longer has), then, when configured, a fresh Elasticsearch
 * index built from that copy and swapped in behind the alias. Writes racing the rebuild are
 * re-queued for Elasticsearch afterwards, so none is lost.
 */
@Injectable()
export class SearchReindexer implements OnApplicationBootstrap {
  private readonly logger = new Logger('SearchReindex');

  constructor(
    @Inject(POSTGRES_SEARCH) private readonly postgres: PostgresSearchEngine,
    @Inject(ELASTICSEARCH_SEARCH) private readonly elasticsearch: ElasticsearchSearchEngine | null,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly sources: SearchDocumentSources,
    private readonly repository: SearchRepository,
    private readonly transactions: TransactionContext,
  ) {}

  onApplicationBootstrap(): void {
    this.queue.process<{ runId: string }>(REINDEX_JOB, ({ data }) => this.run(data.runId));
  }

  async start(index: SearchIndexName): Promise<ReindexRun> {
    if (!this.sources.find(index)) {
      throw new ProblemException(
        409,
        'search-source-missing',
        `No module provides documents for the ${index} index yet.`,
      );
    }
    if (await this.repository.runningReindex(index)) {
      throw new ProblemException(409, 'search-reindex-running', `A reindex of ${index} is already running.`);
    }
    const run = await this.repository.startReindexRun(index);
    await this.queue.add(REINDEX_JOB, { runId: run.id }, { jobId: run.id });
    return run;
  }

  find(id: string): Promise<ReindexRun | undefined> {
    return this.repository.findReindexRun(id);
  }

  /** Throws while the starting request has not committed its run yet, so the queue retries. */
  private async run(runId: string): Promise<void> {
    const run = await this.repository.findReindexRun(runId);
    if (!run) throw new Error('reindex run not visible yet');
    if (run.status !== 'running') return;
    try {
      const source = this.sources.find(run.index);
      if (!source) throw new Error(`no document source for ${run.index}`);
      const startedAt = new Date();
      await this.postgres.reindex(run.index, source.stream(BATCH_SIZE), ({ processed }) =>
        this.repository.recordProgress(run.id, processed),
      );
      if (this.elasticsearch) {
        await this.elasticsearch.reindex(
          run.index,
          this.repository.streamDocuments(run.index, BATCH_SIZE),
          () => undefined,
        );
        await this.transactions.run(() => this.repository.enqueueWrittenSince(run.index, startedAt));
      }
      await this.repository.finishReindexRun(run.id);
    } catch (error) {
      this.logger.error(`reindex of ${run.index} failed: ${(error as Error).message}`);
      await this.repository.finishReindexRun(run.id, (error as Error).message);
    }
  }
}
