import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import { JOB_QUEUE, type JobQueue } from '../../infrastructure/queue/job-queue.js';
import { CentralityRepository } from './centrality.repository.js';

export const CENTRALITY_JOB = 'catalogs.centrality';

/**
 * Recomputes `control_centrality` when a graph change has requested it. The request is recorded in
 * Postgres (`control_centrality_state`); the job is only the trigger, so a lost job or a restart
 * delays the scores and loses nothing: boot enqueues it again while a request is pending. It runs
 * outside the outbox relay, whose deliveries would otherwise wait seconds to minutes behind it.
 */
@Injectable()
export class CentralityJob implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('ControlCentrality');

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly transactions: TransactionContext,
    private readonly centrality: CentralityRepository,
  ) {}

  onModuleInit(): void {
    this.queue.process(CENTRALITY_JOB, () => this.run());
  }

  async onApplicationBootstrap(): Promise<void> {
    const pending = await this.transactions.run(() => this.centrality.pendingRequest());
    if (pending !== undefined) this.enqueue();
  }

  /**
   * One job per request, enqueued after the request committed, so some job always reads it. No
   * shared job id: a queue drops an id it still holds while that job runs, and a request committed
   * after the running job's last look would wait for the next boot. A job with nothing pending
   * costs one read.
   */
  enqueue(): void {
    this.queue
      .add(CENTRALITY_JOB, {})
      .catch((error: Error) =>
        this.logger.warn(`centrality not recomputed now (${error.message}); it runs at next boot`),
      );
  }

  /** Until no request is pending: one transaction per recomputation, so readers see whole runs. */
  async run(): Promise<void> {
    for (;;) {
      const started = Date.now();
      const result = await this.transactions.run(async () => {
        const request = await this.centrality.pendingRequest();
        if (request === undefined) return undefined;
        const scored = await this.centrality.recompute();
        await this.centrality.markComputed(request);
        return scored;
      });
      if (result === undefined) return;
      this.logger.log(`centrality recomputed: ${result} linked controls in ${Date.now() - started} ms`);
    }
  }
}
