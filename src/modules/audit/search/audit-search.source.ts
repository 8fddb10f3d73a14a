import { Injectable, OnModuleInit } from '@nestjs/common';
import type { SearchDocument } from '../../../infrastructure/search/search-document.js';
import { SearchDocumentSource, SearchDocumentSources } from '../../search/search-document-source.js';
import { auditSnapshot } from '../audit-outbox-event.js';
import { AuditRepository, type TimeKey } from '../audit.repository.js';
import { auditSearchDocument } from './audit-search-document.js';

/**
 * What `POST /admin/search/reindex?index=audit` rebuilds from: every event still in the trail,
 * oldest first, so events dropped by retention leave the index too.
 */
@Injectable()
export class AuditSearchSource implements SearchDocumentSource, OnModuleInit {
  readonly index = 'audit' as const;

  constructor(
    private readonly sources: SearchDocumentSources,
    private readonly events: AuditRepository,
  ) {}

  onModuleInit(): void {
    this.sources.register(this);
  }

  async *stream(batchSize: number): AsyncIterable<SearchDocument[]> {
    let after: TimeKey | undefined;
    for (;;) {
      const batch = await this.events.page({}, 'asc', batchSize, after);
      if (!batch.length) return;
      yield batch.map((event) => auditSearchDocument(auditSnapshot(event)));
      after = batch[batch.length - 1].key;
    }
  }
}
