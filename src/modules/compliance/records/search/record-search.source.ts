import { Injectable, OnModuleInit } from '@nestjs/common';
import type { SearchDocument } from '../../../../infrastructure/search/search-document.js';
import { SearchDocumentSource, SearchDocumentSources } from '../../../search/search-document-source.js';
import { ComplianceRecordsRepository } from '../compliance-records.repository.js';
import { RecordResponse } from '../dto/record.response.js';
import { recordSearchDocument } from './record-search-document.js';

/** What `POST /admin/search/reindex?index=compliance` rebuilds from: every live record, by id. */
@Injectable()
export class RecordSearchSource implements SearchDocumentSource, OnModuleInit {
  readonly index = 'compliance' as const;

  constructor(
    private readonly sources: SearchDocumentSources,
    private readonly records: ComplianceRecordsRepository,
  ) {}

  onModuleInit(): void {
    this.sources.register(this);
  }

  async *stream(batchSize: number): AsyncIterable<SearchDocument[]> {
    const frameworkNames = await this.records.frameworkNames();
    let after: string | undefined;
    for (;;) {
      const batch = await this.records.liveAfter(after, batchSize);
      if (!batch.length) return;
      yield batch.map((row) =>
        recordSearchDocument(RecordResponse.of(row), frameworkNames.get(row.framework) ?? row.framework),
      );
      after = batch[batch.length - 1].id;
    }
  }
}
