import { Injectable, OnModuleInit } from '@nestjs/common';
import { OutboxConsumer, OutboxConsumerRegistry, OutboxEvent } from '../../../infrastructure/outbox/outbox-consumer.js';
import { controlDocument } from '../../../infrastructure/search/search-documents.js';
import { SearchIndexer } from '../../search/search-indexer.js';
import { changedCatalogs, CONTROL_GRAPH_CHANGED } from '../control-graph-events.js';
import { ControlSearchRepository } from './control-search.repository.js';

/**
 * Keeps the `controls` search index in step with the catalogs: on a catalog change, every control
 * of that framework is indexed again and the documents of controls it no longer has are deleted,
 * all at one version read from the database clock before the controls (docs/search.md). Mapping
 * changes do not touch control text and are skipped. Replays are harmless.
 */
@Injectable()
export class ControlSearchIndexer implements OutboxConsumer, OnModuleInit {
  readonly name = 'control-search-index';
  readonly types = [CONTROL_GRAPH_CHANGED];

  constructor(
    private readonly registry: OutboxConsumerRegistry,
    private readonly indexer: SearchIndexer,
    private readonly controls: ControlSearchRepository,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  /** Runs in the relay's transaction, which holds each framework's lock until the delivery commits. */
  async handle(events: OutboxEvent[]): Promise<void> {
    for (const framework of changedCatalogs(events)) {
      await this.controls.lockFramework(framework);
      const version = await this.controls.clockVersion();
      const documents = (await this.controls.controlsOf(framework, version)).map(controlDocument);
      await this.indexer.index(documents);
      await this.indexer.deleteMissing(
        'controls',
        { framework },
        documents.map((document) => document.id),
        version,
      );
    }
  }
}
