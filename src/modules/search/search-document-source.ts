import { Injectable } from '@nestjs/common';
import type { SearchDocument, SearchIndexName } from '../../infrastructure/search/search-document.js';

/**
 * Where a reindex reads an index's documents from: the owning module streams them from its own
 * Postgres tables (compliance records, audit events, users), already shaped by the builders in
 * `infrastructure/search/search-documents.ts`.
 */
export interface SearchDocumentSource {
  readonly index: SearchIndexName;
  /** Every current document of the index, in batches of at most `batchSize`. */
  stream(batchSize: number): AsyncIterable<SearchDocument[]>;
}

/** Modules register their source at init; reindex looks it up by index name. */
@Injectable()
export class SearchDocumentSources {
  private readonly sources = new Map<SearchIndexName, SearchDocumentSource>();

  register(source: SearchDocumentSource): void {
    if (this.sources.has(source.index)) throw new Error(`a document source for ${source.index} is already registered`);
    this.sources.set(source.index, source);
  }

  find(index: SearchIndexName): SearchDocumentSource | undefined {
    return this.sources.get(index);
  }
}
