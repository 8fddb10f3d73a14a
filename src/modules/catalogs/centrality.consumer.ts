import { Injectable, OnModuleInit } from '@nestjs/common';
import { OutboxConsumer, OutboxConsumerRegistry } from '../../infrastructure/outbox/outbox-consumer.js';
import { CentralityService } from './centrality.service.js';
import { CONTROL_GRAPH_CHANGED } from './control-graph-events.js';

/**
 * Recomputes `control_centrality` when catalogs or mappings change: once per batch of events, in
 * the delivery's transaction, so the scores and the delivery commit together. A replay computes
 * the same scores again.
 */
@Injectable()
export class CentralityRecomputer implements OutboxConsumer, OnModuleInit {
  readonly name = 'control-centrality';
  readonly types = [CONTROL_GRAPH_CHANGED];

  constructor(
    private readonly registry: OutboxConsumerRegistry,
    private readonly centrality: CentralityService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async handle(): Promise<void> {
    await this.centrality.recompute();
  }
}
