import { Injectable, OnModuleInit } from '@nestjs/common';
import type { SearchDocument } from '../../../../infrastructure/search/search-document.js';
import { SearchDocumentSource, SearchDocumentSources } from '../../../search/search-document-source.js';
import { ComplianceRecordsRepository } from '../compliance-records.repository.js';
import { RecordSearchDocuments, searchedFieldsOf } from './record-search-document.js';

/** What `POST /admin/search/reindex?index=compliance` rebuilds from: every live record, by id. */
@Injectable()
export class RecordSearchSource implements SearchDocumentSource, OnModuleInit {
  readonly index = 'compliance' as const;

  constructor(
    private readonly sources: SearchDocumentSources,
    private readonly records: ComplianceRecordsRepository,
    private readonly documents: RecordSearchDocuments,
  ) {}

  onModuleInit(): void {
    this.sources.register(this);
  }

  async *stream(batchSize: number): AsyncIterable<SearchDocument[]> {
    let after: string | undefined;
    for (;;) {
      const batch = await this.records.liveAfter(after, batchSize);
      if (!batch.length) return;
      yield await this.documents.of(batch.map(searchedFieldsOf));
      after = batch[batch.length - 1].id;
    }
  }
}
