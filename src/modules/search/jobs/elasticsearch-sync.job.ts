import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { JOB_QUEUE, type JobQueue } from '../../../infrastructure/queue/job-queue.js';
import type { ElasticsearchSearchEngine } from '../../../infrastructure/search/elasticsearch/elasticsearch-search.engine.js';
import { BACKLOG_METRIC, ELASTICSEARCH_SEARCH, LAG_METRIC } from '../search-engines.js';
import { SearchRepository } from '../search.repository.js';

export const SYNC_JOB = 'search.elasticsearch-sync';
const BATCH_SIZE = 500;
const SWEEP_EVERY_MS = 5_000;
/** Writes within this window share one drain (the job id deduplicates while it is pending). */
const BATCH_WINDOW_MS = 250;

/**
 * Copies the backlog to Elasticsearch in batches. A failed batch stays in the backlog and the job
 * retries with backoff; a periodic sweep drains whatever is left once the cluster is back.
 */
@Injectable()
export class ElasticsearchSync implements OnApplicationBootstrap {
  private readonly logger = new Logger('SearchSync');
  private indicesReady = false;

  constructor(
    @Inject(ELASTICSEARCH_SEARCH) private readonly elasticsearch: ElasticsearchSearchEngine | null,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly repository: SearchRepository,
    @InjectMetric(BACKLOG_METRIC) private readonly backlogGauge: Gauge,
    @InjectMetric(LAG_METRIC) private readonly lagGauge: Gauge,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.elasticsearch) return;
    this.queue.process(SYNC_JOB, () => this.drain());
    await this.queue.repeat(SYNC_JOB, SWEEP_EVERY_MS, {});
    await this.trigger();
  }

  async trigger(): Promise<void> {
    await this.queue.add(SYNC_JOB, {}, { jobId: 'drain', delayMs: BATCH_WINDOW_MS });
  }

  /** Copies the whole backlog; throws (leaving the rest queued) when Elasticsearch fails. */
  async drain(): Promise<void> {
    const engine = this.elasticsearch;
    if (!engine) return;
    try {
      if (!this.indicesReady) {
        await engine.ensureIndices();
        this.indicesReady = true;
      }
      for (;;) {
        const entries = await this.repository.oldestBacklog(BATCH_SIZE);
        if (!entries.length) break;
        await engine.index(entries.flatMap((e) => (e.document ? [e.document] : [])));
        await engine.delete(entries.flatMap((e) => (e.removal ? [e.removal] : [])));
        await this.repository.acknowledge(entries);
        if (entries.length < BATCH_SIZE) break;
      }
    } catch (error) {
      this.logger.warn(`elasticsearch sync paused: ${(error as Error).message}`);
      throw error;
    } finally {
      await this.observe();
    }
  }

  private async observe(): Promise<void> {
    const { documents, lagSeconds } = await this.repository.backlogState();
    this.backlogGauge.set(documents);
    this.lagGauge.set(lagSeconds);
  }
}
