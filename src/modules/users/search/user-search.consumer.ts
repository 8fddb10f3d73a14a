import { Injectable, OnModuleInit } from '@nestjs/common';
import { OutboxConsumer, OutboxConsumerRegistry, OutboxEvent } from '../../../infrastructure/outbox/outbox-consumer.js';
import { SearchIndexer } from '../../search/search-indexer.js';
import { USER_CREATED, USER_UPDATED, type UserEventPayload } from '../user-events.js';
import { userSearchDocument } from './user-search-document.js';

/**
 * Keeps the `users` search index in step with users: a role change or a disabled account updates
 * the document. Replays are harmless: the engines ignore a version older than the one they hold.
 */
@Injectable()
export class UserSearchIndexer implements OutboxConsumer, OnModuleInit {
  readonly name = 'user-search-index';
  readonly types = [USER_CREATED, USER_UPDATED];

  constructor(
    private readonly registry: OutboxConsumerRegistry,
    private readonly indexer: SearchIndexer,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async handle(events: OutboxEvent[]): Promise<void> {
    await this.indexer.index(events.map((event) => userSearchDocument((event.payload as UserEventPayload).user)));
  }
}
