import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  OutboxConsumer,
  OutboxConsumerRegistry,
  OutboxEvent,
} from '../../../../infrastructure/outbox/outbox-consumer.js';
import { SearchIndexer } from '../../../search/search-indexer.js';
import { RECORD_CREATED, RECORD_DELETED, RECORD_UPDATED, type RecordEventPayload } from '../record-events.js';
import { RecordSearchDocuments } from './record-search-document.js';

/**
 * Keeps the `compliance` search index in step with records. Replays are harmless: the engines
 * ignore a document version older than the one they hold.
 */
@Injectable()
export class RecordSearchIndexer implements OutboxConsumer, OnModuleInit {
  readonly name = 'search-index';
  readonly types = [RECORD_CREATED, RECORD_UPDATED, RECORD_DELETED];

  constructor(
    private readonly registry: OutboxConsumerRegistry,
    private readonly indexer: SearchIndexer,
    private readonly documents: RecordSearchDocuments,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async handle(events: OutboxEvent[]): Promise<void> {
    const deleted = events.filter((event) => event.type === RECORD_DELETED);
    const written = events.filter((event) => event.type !== RECORD_DELETED);
    if (written.length) {
      const records = written.map((event) => (event.payload as RecordEventPayload).record);
      await this.indexer.index(await this.documents.of(records));
    }
    if (deleted.length) {
      await this.indexer.delete(
        deleted.map((event) => ({
          index: 'compliance' as const,
          id: event.aggregateId,
          version: Number((event.payload as RecordEventPayload).version),
        })),
      );
    }
  }
}
