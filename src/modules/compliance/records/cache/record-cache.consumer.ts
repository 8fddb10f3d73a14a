import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import {
  OutboxConsumer,
  OutboxConsumerRegistry,
  OutboxEvent,
} from '../../../../infrastructure/outbox/outbox-consumer.js';
import { RECORD_DELETED, RECORD_UPDATED } from '../record-events.js';
import { RECORD_CACHE, type RecordCache } from './record-cache.js';

/** Durable invalidation: every record change reaches the cache even if the write path's attempt failed. */
@Injectable()
export class RecordCacheInvalidator implements OutboxConsumer, OnModuleInit {
  readonly name = 'record-cache';
  readonly types = [RECORD_UPDATED, RECORD_DELETED];

  constructor(
    @Inject(RECORD_CACHE) private readonly cache: RecordCache,
    private readonly registry: OutboxConsumerRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async handle(events: OutboxEvent[]): Promise<void> {
    for (const event of events) {
      await this.cache.invalidate(event.aggregateId, Number(event.payload.version));
    }
  }
}
