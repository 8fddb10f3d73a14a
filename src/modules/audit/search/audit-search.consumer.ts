import { Injectable, OnModuleInit } from '@nestjs/common';
import { OutboxConsumer, OutboxConsumerRegistry, OutboxEvent } from '../../../infrastructure/outbox/outbox-consumer.js';
import { SearchIndexer } from '../../search/search-indexer.js';
import { AUDIT_EVENT_RECORDED, type AuditEventPayload } from '../audit-outbox-event.js';
import { auditSearchDocument } from './audit-search-document.js';

/**
 * Keeps the `audit` search index in step with the trail. Events never change, so a replay writes
 * the same document again.
 */
@Injectable()
export class AuditSearchIndexer implements OutboxConsumer, OnModuleInit {
  readonly name = 'audit-search-index';
  readonly types = [AUDIT_EVENT_RECORDED];

  constructor(
    private readonly registry: OutboxConsumerRegistry,
    private readonly indexer: SearchIndexer,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async handle(events: OutboxEvent[]): Promise<void> {
    await this.indexer.index(events.map((event) => auditSearchDocument((event.payload as AuditEventPayload).event)));
  }
}
