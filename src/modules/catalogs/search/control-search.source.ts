import { Injectable, OnModuleInit } from '@nestjs/common';
import type { SearchDocument } from '../../../infrastructure/search/search-document.js';
import { controlDocument } from '../../../infrastructure/search/search-documents.js';
import { SearchDocumentSource, SearchDocumentSources } from '../../search/search-document-source.js';
import { ControlSearchRepository } from './control-search.repository.js';

/** What `POST /admin/search/reindex?index=controls` rebuilds from: every control of every catalog. */
@Injectable()
export class ControlSearchSource implements SearchDocumentSource, OnModuleInit {
  readonly index = 'controls' as const;

  constructor(
    private readonly sources: SearchDocumentSources,
    private readonly controls: ControlSearchRepository,
  ) {}

  onModuleInit(): void {
    this.sources.register(this);
  }

  /** Each page is versioned by the clock read just before it, like the outbox consumer's writes. */
  async *stream(batchSize: number): AsyncIterable<SearchDocument[]> {
    let after = '0';
    for (;;) {
      const version = await this.controls.clockVersion();
      const { last, controls } = await this.controls.controlsAfter(after, batchSize, version);
      if (!last) return;
      yield controls.map(controlDocument);
      after = last;
    }
  }
}
