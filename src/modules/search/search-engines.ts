import type { Provider } from '@nestjs/common';
import { makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { AppConfig } from '../../config/app-config.js';
import { ReplicaRouter } from '../../infrastructure/database/replica-router.js';
import { TransactionContext } from '../../infrastructure/database/transaction-context.js';
import { ElasticsearchConnection } from '../../infrastructure/search/elasticsearch.connection.js';
import { ElasticsearchSearchEngine } from '../../infrastructure/search/elasticsearch/elasticsearch-search.engine.js';
import { PostgresSearchEngine } from '../../infrastructure/search/postgres/postgres-search.engine.js';

/** Always present: the embedded default, the fallback, and the copy Elasticsearch is rebuilt from. */
export const POSTGRES_SEARCH = Symbol('POSTGRES_SEARCH');
/** Null unless ELASTICSEARCH_NODE or ELASTICSEARCH_NODES is set. */
export const ELASTICSEARCH_SEARCH = Symbol('ELASTICSEARCH_SEARCH');

export const BACKLOG_METRIC = 'search_index_backlog_documents';
export const LAG_METRIC = 'search_index_lag_seconds';
export const FALLBACK_METRIC = 'search_fallback_total';

export const SEARCH_ENGINE_PROVIDERS: Provider[] = [
  {
    provide: POSTGRES_SEARCH,
    inject: [TransactionContext, ReplicaRouter, AppConfig],
    useFactory: (transactions: TransactionContext, replicas: ReplicaRouter, config: AppConfig) =>
      new PostgresSearchEngine(() => transactions.manager, {
        rankCandidates: config.searchRankCandidates,
        reader: () => replicas.reader(),
      }),
  },
  {
    provide: ELASTICSEARCH_SEARCH,
    inject: [ElasticsearchConnection],
    useFactory: (connection: ElasticsearchConnection) =>
      connection.client ? new ElasticsearchSearchEngine(connection.client) : null,
  },
  makeGaugeProvider({
    name: BACKLOG_METRIC,
    help: 'Search documents written to Postgres but not yet to Elasticsearch',
  }),
  makeGaugeProvider({ name: LAG_METRIC, help: 'Age in seconds of the oldest document waiting for Elasticsearch' }),
  makeCounterProvider({ name: FALLBACK_METRIC, help: 'Searches answered by Postgres because Elasticsearch failed' }),
];
