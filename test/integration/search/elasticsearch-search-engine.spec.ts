import { ElasticsearchService } from '@nestjs/elasticsearch';
import { AppConfig } from '../../../src/config/app-config';
import { validateEnvironment } from '../../../src/config/environment';
import { elasticsearchClientOptions } from '../../../src/infrastructure/search/elasticsearch-client-options';
import { ElasticsearchSearchEngine } from '../../../src/infrastructure/search/elasticsearch/elasticsearch-search.engine';
import { SEARCH_INDEXES } from '../../../src/infrastructure/search/search-document';
import { searchEngineContract } from './search-engine.contract';

/**
 * Runs only against a disposable cluster: it deletes the compliance, audit and users indices first.
 * The cluster is named as the app names it (ELASTICSEARCH_NODE or _NODES, credentials, CA).
 */
const settings = new AppConfig(
  validateEnvironment(
    Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('ELASTICSEARCH_'))),
  ),
).elasticsearch;

if (!settings) {
  process.stdout.write('SearchEngine contract: Elasticsearch skipped: ELASTICSEARCH_NODE is not set\n');
  it.skip('SearchEngine contract: Elasticsearch (set ELASTICSEARCH_NODE to a disposable cluster to run)', () =>
    undefined);
} else {
  describe('SearchEngine contract: Elasticsearch', () => {
    searchEngineContract(async () => {
      // Longer than the app's 5 s: a reindex of the whole corpus is one request here.
      const client = new ElasticsearchService({ ...elasticsearchClientOptions(settings), requestTimeout: 60_000 });
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
