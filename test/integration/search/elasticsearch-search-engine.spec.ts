import { ElasticsearchService } from '@nestjs/elasticsearch';
import { ElasticsearchSearchEngine } from '../../../src/infrastructure/search/elasticsearch/elasticsearch-search.engine';
import { SEARCH_INDEXES } from '../../../src/infrastructure/search/search-document';
import { searchEngineContract } from './search-engine.contract';

/** Runs only against a disposable cluster: it deletes the compliance, audit and users indices first. */
const node = process.env.ELASTICSEARCH_NODE;

if (!node) {
  process.stdout.write('SearchEngine contract: Elasticsearch skipped: ELASTICSEARCH_NODE is not set\n');
  it.skip('SearchEngine contract: Elasticsearch (set ELASTICSEARCH_NODE to a disposable cluster to run)', () =>
    undefined);
} else {
  describe('SearchEngine contract: Elasticsearch', () => {
    searchEngineContract(async () => {
      const client = new ElasticsearchService({ node });
      for (const alias of SEARCH_INDEXES) {
        await client.indices.delete({ index: `${alias}_v*`, ignore_unavailable: true, allow_no_indices: true });
      }
      const engine = new ElasticsearchSearchEngine(client);
      await engine.ensureIndices();
      return {
        engine,
        refresh: async () => void (await client.indices.refresh({ index: SEARCH_INDEXES.join(',') })),
        close: () => client.close(),
      };
    });
  });
}
