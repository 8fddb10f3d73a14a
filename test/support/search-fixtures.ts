import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import type { SearchDocument } from '../../src/infrastructure/search/search-document.js';
import { SearchDocumentSources, type SearchDocumentSource } from '../../src/modules/search/search-document-source.js';
import { SearchModule } from '../../src/modules/search/search.module.js';

/** A SearchDocumentSource over an in-memory list, standing in for the compliance module's. */
export class FixtureDocumentSource implements SearchDocumentSource {
  constructor(
    readonly index: SearchDocument['index'],
    public documents: SearchDocument[] = [],
  ) {}

  async *stream(batchSize: number): AsyncIterable<SearchDocument[]> {
    for (let i = 0; i < this.documents.length; i += batchSize) yield this.documents.slice(i, i + batchSize);
  }
}

export const complianceFixtureSource = new FixtureDocumentSource('compliance');

@Injectable()
class FixtureSourceRegistration implements OnModuleInit {
  constructor(private readonly sources: SearchDocumentSources) {}

  onModuleInit(): void {
    this.sources.register(complianceFixtureSource);
  }
}

/** Registers `complianceFixtureSource` as the compliance index's source. */
@Module({ imports: [SearchModule], providers: [FixtureSourceRegistration] })
export class FixtureSearchSourceModule {}
