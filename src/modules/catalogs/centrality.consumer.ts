import { Injectable, OnModuleInit } from '@nestjs/common';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import { OutboxConsumer, OutboxConsumerRegistry } from '../../infrastructure/outbox/outbox-consumer.js';
import { CentralityJob } from './centrality.job.js';
import { CentralityRepository } from './centrality.repository.js';
import { CONTROL_GRAPH_CHANGED } from './control-graph-events.js';

/**
 * Requests a centrality recomputation when catalogs or mappings change: the request commits with
 * the delivery, and the job that computes it is triggered after the commit. A replay requests once
 * more, which costs one extra run and changes no score.
 */
@Injectable()
export class CentralityRequester implements OutboxConsumer, OnModuleInit {
  readonly name = 'control-centrality';
  readonly types = [CONTROL_GRAPH_CHANGED];

  constructor(
    private readonly registry: OutboxConsumerRegistry,
    private readonly transactions: TransactionContext,
    private readonly centrality: CentralityRepository,
    private readonly job: CentralityJob,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async handle(): Promise<void> {
    await this.centrality.request();
    await this.transactions.afterCommit(() => this.job.enqueue());
  }
}
