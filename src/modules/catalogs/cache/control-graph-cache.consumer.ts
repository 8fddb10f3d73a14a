import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { OutboxConsumer, OutboxConsumerRegistry } from '../../../infrastructure/outbox/outbox-consumer.js';
import { CONTROL_GRAPH_CHANGED } from '../control-graph-events.js';
import { CONTROL_GRAPH_CACHE, type ControlGraphCache } from './control-graph-cache.js';

/** Durable invalidation: every catalog or mapping change drops the cached traversals, once per batch. */
@Injectable()
export class ControlGraphCacheInvalidator implements OutboxConsumer, OnModuleInit {
  readonly name = 'control-graph-cache';
  readonly types = [CONTROL_GRAPH_CHANGED];

  constructor(
    @Inject(CONTROL_GRAPH_CACHE) private readonly cache: ControlGraphCache,
    private readonly registry: OutboxConsumerRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async handle(): Promise<void> {
    await this.cache.invalidate();
  }
}
