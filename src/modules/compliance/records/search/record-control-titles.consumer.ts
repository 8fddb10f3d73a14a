import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  OutboxConsumer,
  OutboxConsumerRegistry,
  OutboxEvent,
} from '../../../../infrastructure/outbox/outbox-consumer.js';
import { changedCatalogs, CONTROL_GRAPH_CHANGED } from '../../../catalogs/control-graph-events.js';
import { SearchIndexer } from '../../../search/search-indexer.js';
import { ComplianceRecordsRepository } from '../compliance-records.repository.js';
import { RecordSearchDocuments, searchedFieldsOf } from './record-search-document.js';

/** Records per page: the reindex's batch size, one titles query each. */
const BATCH_SIZE = 1_000;

/**
 * When a framework's catalog changes, its records are indexed again so the control titles in the
 * `compliance` index follow the catalog. Each record keeps its own version: the engines take an
 * equal version as a rewrite, and a newer record event still wins. Costs one pass over the
 * framework's live records, in the relay's transaction (docs/search.md).
 */
@Injectable()
export class RecordControlTitlesIndexer implements OutboxConsumer, OnModuleInit {
  readonly name = 'search-index-control-titles';
  readonly types = [CONTROL_GRAPH_CHANGED];

  constructor(
    private readonly registry: OutboxConsumerRegistry,
    private readonly indexer: SearchIndexer,
    private readonly records: ComplianceRecordsRepository,
    private readonly documents: RecordSearchDocuments,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async handle(events: OutboxEvent[]): Promise<void> {
    for (const framework of changedCatalogs(events)) {
      let after: string | undefined;
      for (;;) {
        const batch = await this.records.liveAfter(after, BATCH_SIZE, framework);
        if (!batch.length) break;
        await this.indexer.index(await this.documents.of(batch.map(searchedFieldsOf)));
        after = batch[batch.length - 1].id;
      }
    }
  }
}
