import { Module } from '@nestjs/common';
import { ElasticsearchSync } from './jobs/elasticsearch-sync.job.js';
import { SearchReindexer } from './jobs/search-reindex.job.js';
import { SearchAdminController } from './search-admin.controller.js';
import { SearchDocumentSources } from './search-document-source.js';
import { SEARCH_ENGINE_PROVIDERS } from './search-engines.js';
import { SearchIndexer } from './search-indexer.js';
import { SearchController } from './search.controller.js';
import { SearchRepository } from './search.repository.js';
import { SearchService } from './search.service.js';

/** Search API, indexing for outbox consumers (`SearchIndexer`) and reindex (`SearchDocumentSources`). */
@Module({
  controllers: [SearchController, SearchAdminController],
  providers: [
    ...SEARCH_ENGINE_PROVIDERS,
    SearchRepository,
    SearchService,
    SearchIndexer,
    ElasticsearchSync,
    SearchReindexer,
    SearchDocumentSources,
  ],
  exports: [SearchIndexer, SearchDocumentSources],
})
export class SearchModule {}
